"""Gunicorn settings for KX's web process: ``gunicorn -c gunicorn.conf.py kx_site.wsgi``.

Gunicorn reads this file; Django's own settings still come from DJANGO_SETTINGS_MODULE (the
production module unless told otherwise, see kx_site/wsgi.py). The process runs behind a TLS proxy
that sets X-Forwarded-Proto; it never terminates TLS itself.

Environment (defaults in brackets):
  KX_BIND              addresses to listen on, comma-separated [127.0.0.1:8000]
  WEB_CONCURRENCY      worker processes [2]
  KX_THREADS           threads per worker process [4]
  FORWARDED_ALLOW_IPS  proxies whose X-Forwarded-* headers gunicorn trusts [127.0.0.1,::1]
"""

import os

wsgi_app = "kx_site.wsgi:application"
proc_name = "kx-web"

bind = [address.strip() for address in os.environ.get("KX_BIND", "127.0.0.1:8000").split(",")]

# Threads keep a worker busy while another request waits on the database or the search engine;
# processes use the cores. Each thread holds its own database connection when
# DATABASE_CONN_MAX_AGE is set (60 is a good value; with the default 0 each request connects
# afresh, which cut the home page's throughput to a third on 2 cores): budget
# WEB_CONCURRENCY x KX_THREADS connections per web instance.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("KX_THREADS", "4"))
worker_class = "gthread"

# A request that takes longer than this has its worker killed and restarted (the proxy answers
# 502); a restart or SIGTERM gives requests in flight this long to finish.
timeout = 30
graceful_timeout = 30
# Longer than the proxy's idle timeout for upstream connections is wasted; shorter costs
# reconnects.
keepalive = 5
# Recycle each worker after about this many requests, staggered so that they do not all restart
# at once: bounds the damage of a slow memory leak in any library. A worker takes a second or two
# to start (Django and Wagtail load in each), during which it serves nothing: at 1,000 a cheap
# page at full load stalled every few seconds (p99 1.6 s), so the bound is kept high.
max_requests = 5000
max_requests_jitter = 500

# Gunicorn 25.1+ opens a control socket by default at one path per user
# ($XDG_RUNTIME_DIR/gunicorn.ctl or ~/.gunicorn/gunicorn.ctl), which a second instance on the
# same machine (another checkout, a second service) would take over. KX does not use gunicornc.
control_socket_disable = True

forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Both logs to the standard streams; the process manager or container runtime keeps them.
accesslog = "-"
errorlog = "-"
loglevel = "info"
# No query strings in the access log: sign-in, reset and unsubscribe links carry tokens there.
access_log_format = (
    '%(h)s %({x-forwarded-for}i)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms "%(a)s"'
)

# The worker heartbeat file: on a tmpfs where there is one, so a slow disk cannot stall workers.
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"
