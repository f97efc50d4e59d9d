from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import ALLOWED_HOSTS, SECRET_KEY

if not SECRET_KEY or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("Set SECRET_KEY to a random string of at least 50 characters.")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Set ALLOWED_HOSTS to the comma-separated host names served.")

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Persistent database connections (health-checked, see base.py) unless DATABASE_CONN_MAX_AGE says
# otherwise: a new PostgreSQL connection per request cost pages 30-170 % of their throughput. The
# worker and the scheduler drop dead or expired connections themselves (close_old_connections).
# Budget WEB_CONCURRENCY x KX_THREADS connections per web instance, plus one per worker and two
# for the scheduler.
if not KX_DATABASE_CONN_MAX_AGE_SET:  # noqa: F405
    DATABASES["default"]["CONN_MAX_AGE"] = 60  # noqa: F405

SECURE_SSL_REDIRECT = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 63072000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True

# Processes (make serve): KX_INSECURE_LOCAL_HTTP=true lets this machine try the production stack
# over plain HTTP (no HTTPS redirect, no HSTS, cookies without Secure). Only `make serve` sets it,
# and it is refused unless every ALLOWED_HOSTS entry is a loopback name, so it cannot apply to a
# deployment that serves a real host name; `check --deploy` still reports what it turns off.
if KX_INSECURE_LOCAL_HTTP:  # noqa: F405
    _loopback_hosts = {"localhost", "127.0.0.1", "::1", "[::1]"}
    if not set(ALLOWED_HOSTS) <= _loopback_hosts:
        raise ImproperlyConfigured(
            "KX_INSECURE_LOCAL_HTTP is for trying KX on this machine: it needs ALLOWED_HOSTS to "
            "name only localhost, 127.0.0.1 or [::1]. Unset it in any real deployment."
        )
    SECURE_SSL_REDIRECT = False
    SECURE_HSTS_SECONDS = 0
    SESSION_COOKIE_SECURE = False
    CSRF_COOKIE_SECURE = False

# Media files (see base.py): documents only through the serve view, which asks the audience
# check, never a redirect to the bucket. nginx's X-Accel-Redirect sends files from MEDIA_ROOT on
# disk, where nothing is kept once media live in a bucket.
if WAGTAILDOCS_SERVE_METHOD != "serve_view":  # noqa: F405
    raise ImproperlyConfigured("WAGTAILDOCS_SERVE_METHOD must be 'serve_view'.")
if KX_MEDIA_S3_BUCKET and KX_MEDIA_ACCEL_REDIRECT_PREFIX:  # noqa: F405
    raise ImproperlyConfigured(
        "KX_MEDIA_ACCEL_REDIRECT_PREFIX serves files from MEDIA_ROOT on disk: unset it when "
        "KX_MEDIA_S3_BUCKET puts media in a bucket."
    )

# Email (see base.py): email is delivered, or production does not start. A backend that writes
# files, prints, keeps messages in memory or drops them is refused unless KX_ALLOW_NON_SMTP_EMAIL
# says so; SMTP credentials never cross the network unencrypted.
_email_backends_delivering_nothing = (
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
)
if EMAIL_BACKEND in _email_backends_delivering_nothing and not KX_ALLOW_NON_SMTP_EMAIL:  # noqa: F405
    raise ImproperlyConfigured(
        f"EMAIL_BACKEND is {EMAIL_BACKEND}, which delivers no email. Set "  # noqa: F405
        "EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend with EMAIL_HOST, EMAIL_PORT, "
        "EMAIL_HOST_USER, EMAIL_HOST_PASSWORD and EMAIL_USE_TLS=true (STARTTLS) or "
        "EMAIL_USE_SSL=true (TLS from the start); or set KX_ALLOW_NON_SMTP_EMAIL=true to run "
        "without sending email."
    )
if (
    EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend"  # noqa: F405
    and (EMAIL_HOST_USER or EMAIL_HOST_PASSWORD)  # noqa: F405
    and not (EMAIL_USE_TLS or EMAIL_USE_SSL)  # noqa: F405
):
    raise ImproperlyConfigured(
        "EMAIL_HOST_USER and EMAIL_HOST_PASSWORD would cross the network unencrypted: set "
        "EMAIL_USE_TLS=true (STARTTLS) or EMAIL_USE_SSL=true (TLS from the start)."
    )

# Observe and operate (see base.py): one JSON object a line on stdout, at LOG_LEVEL (INFO unless
# set). Server errors ("django" logger, ERROR) are also emailed to ADMINS, without the request's
# data (kx_site.request_logging.RedactedExceptionReporter); requests with a forged Host header,
# which scanners send all day, are logged but not emailed. With SENTRY_DSN, errors also go to
# Sentry, stripped of personal data (kx_site/sentry.py). The probes are answered before the HTTPS
# redirect (kx_site.health.ProbeMiddleware); the exemption covers their URL routes as well.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_context": {"()": "kx_site.logging.RequestContextFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {"json": {"()": "kx_site.logging.JsonFormatter"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json",
            "filters": ["request_context"],
        },
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false"],
            "reporter_class": "kx_site.request_logging.RedactedExceptionReporter",
        },
    },
    "root": {"handlers": ["stdout"], "level": KX_LOG_LEVEL or "INFO"},  # noqa: F405
    "loggers": {
        "django": {
            "handlers": ["mail_admins"],
            "level": KX_LOG_LEVEL or "INFO",  # noqa: F405
            "propagate": True,
        },
        "django.security.DisallowedHost": {"handlers": ["stdout"], "propagate": False},
    },
}
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
if SENTRY_DSN:  # noqa: F405
    from kx_site.sentry import init_sentry

    init_sentry(
        dsn=SENTRY_DSN,  # noqa: F405
        environment=SENTRY_ENVIRONMENT,  # noqa: F405
        release=SENTRY_RELEASE,  # noqa: F405
        traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE,  # noqa: F405
    )
