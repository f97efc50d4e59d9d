"""The production stack, started for real: nginx terminating TLS in front of gunicorn on
production settings, the task worker, the scheduler, an SMTP server, PostgreSQL and the search
engine.

Run with ``make smoke`` (CI does, after the suite): it needs ``DATABASE_URL`` naming a
PostgreSQL server whose role may create databases, and ``SEARCH_URL``. The stack gets a database
of its own (``kx_smoke``), made afresh, and talks to the tests only over HTTP, SMTP and its logs.
"""

import mailbox
import os
import secrets
import signal
import socket
import ssl
import subprocess
import sys
import time
from email import message_from_bytes
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from urllib.request import Request, urlopen

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SMOKE_DATABASE = "kx_smoke"
# Variables of the test run that the production processes must not inherit.
NOT_INHERITED = {
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "EMAIL_BACKEND",
    "TASK_BACKEND",
    "KX_INSECURE_LOCAL_HTTP",
    "KX_ALLOW_NON_SMTP_EMAIL",
}


def pytest_collection_modifyitems(items):
    for item in items:
        if "/tests/production/" in str(item.path):
            item.add_marker(pytest.mark.production)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(check, *, timeout, what, interval=0.5):
    """Poll ``check`` until it returns something truthy; fail with ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"Timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


class Mailbox:
    """The Maildir the SMTP server (aiosmtpd's Mailbox handler) delivers into."""

    def __init__(self, folder: Path):
        self.folder = folder

    def messages(self):
        if not (self.folder / "new").exists():
            return []
        box = mailbox.Maildir(self.folder, factory=None, create=False)
        return [message_from_bytes(message.as_bytes()) for message in box]

    def to(self, address, subject_contains=""):
        return [
            message
            for message in self.messages()
            if address in (message["To"] or "") and subject_contains in (message["Subject"] or "")
        ]

    def wait_for(self, address, subject_contains="", *, count=1, timeout=90):
        return wait_for(
            lambda: (
                (found := self.to(address, subject_contains)) and len(found) >= count and found
            ),
            timeout=timeout,
            what=f"{count} email(s) to {address} about {subject_contains!r}",
        )


class Stack:
    """The running processes and how to reach them."""

    def __init__(self, workdir: Path, database_url: str, search_url: str):
        self.workdir = workdir
        self.web_port = free_port()
        self.https_port = free_port()
        self.smtp_port = free_port()
        # What a browser uses: nginx, with a self-signed certificate made for the run.
        self.url = f"https://127.0.0.1:{self.https_port}"
        self.media_root = workdir / "media"
        self.mailbox = Mailbox(workdir / "maildir")
        self.logs = workdir / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.processes = {}
        self.env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
        self.env.update(
            DJANGO_SETTINGS_MODULE="kx_site.settings.production",
            SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS="127.0.0.1,localhost",
            DATABASE_URL=database_url,
            SEARCH_URL=search_url,
            SEARCH_INDEX="kx_smoke",
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(self.smtp_port),
            KX_VAR_DIR=str(workdir / "var"),
            MEDIA_ROOT=str(self.media_root),
            # nginx sends image files from MEDIA_ROOT once the app has said yes.
            KX_MEDIA_ACCEL_REDIRECT_PREFIX="/internal-media/",
            KX_BIND=f"127.0.0.1:{self.web_port}",
            BASE_URL=self.url,
            WEB_CONCURRENCY="2",
            PYTHONUNBUFFERED="1",
            PATH=f"{BIN}:{os.environ.get('PATH', '')}",
        )

    def manage(self, *args, timeout=600, settings=None):
        env = {**self.env, "DJANGO_SETTINGS_MODULE": settings} if settings else self.env
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert result.returncode == 0, (
            f"manage.py {' '.join(args)}\n{result.stdout}\n{result.stderr}"
        )
        return result.stdout

    def shell(self, code):
        return self.manage("shell", "--no-imports", "-c", code)

    def start(self, name, command):
        log = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        self.processes[name] = (
            subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=log),
            log,
        )

    def start_smtp(self):
        self.start(
            "smtp",
            [
                sys.executable,
                "-m",
                "aiosmtpd",
                "--nosetuid",
                "--listen",
                f"127.0.0.1:{self.smtp_port}",
                "--class",
                "aiosmtpd.handlers.Mailbox",
                str(self.mailbox.folder),
            ],
        )

    def start_proxy(self):
        """nginx as the TLS proxy of docs/operations.md: it sets X-Forwarded-Proto and serves
        /internal-media/ only on the app's X-Accel-Redirect."""
        certificate, key = self.workdir / "proxy.crt", self.workdir / "proxy.key"
        subprocess.run(
            [
                "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                "-keyout", str(key), "-out", str(certificate),
            ],
            check=True,
            capture_output=True,
        )  # fmt: skip
        temp = self.workdir / "nginx"
        temp.mkdir(exist_ok=True)
        config = self.workdir / "nginx.conf"
        config.write_text(
            NGINX_CONFIG.format(
                user="user root;" if os.geteuid() == 0 else "",
                temp=temp,
                logs=self.logs,
                https_port=self.https_port,
                web_port=self.web_port,
                certificate=certificate,
                key=key,
                media_root=self.media_root,
            )
        )
        self.start("proxy", ["nginx", "-c", str(config), "-p", str(temp), "-g", "daemon off;"])

    def start_web(self):
        self.start("web", [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "kx_site.wsgi"])

    def start_worker(self):
        self.start("worker", [sys.executable, "manage.py", "db_worker", "--interval", "0.5"])

    def start_scheduler(self):
        self.start("scheduler", [sys.executable, "manage.py", "run_scheduler"])

    def stop(self, name, sig=signal.SIGTERM, timeout=60):
        process, log = self.processes.pop(name)
        process.send_signal(sig)
        try:
            code = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            code = process.wait()
        log.close()
        return code

    def stop_all(self):
        for name in list(self.processes):
            self.stop(name)

    def get(self, path, **headers):
        """GET through the proxy, trusting its self-signed certificate: (status, body)."""
        status, _, body = self.fetch(path, **headers)
        return status, body

    def fetch(self, path, **headers):
        """GET through the proxy: (status, response headers, body)."""
        context = ssl.create_default_context(cafile=str(self.workdir / "proxy.crt"))
        request = Request(self.url + path, headers=headers)
        try:
            with urlopen(request, timeout=30, context=context) as response:
                return response.status, response.headers, response.read()
        except OSError as error:
            status = getattr(error, "code", None)
            return status, getattr(error, "headers", {}), getattr(error, "read", lambda: b"")()

    def log(self, name):
        return (self.logs / f"{name}.log").read_text(errors="replace")


def fresh_database(database_url):
    """A new, empty ``kx_smoke`` database on the server of ``database_url``."""
    import psycopg

    parts = urlsplit(database_url)
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {SMOKE_DATABASE} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {SMOKE_DATABASE}")
    return urlunsplit(parts._replace(path=f"/{SMOKE_DATABASE}"))


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    database_url = os.environ.get("DATABASE_URL", "")
    search_url = os.environ.get("SEARCH_URL", "")
    if not database_url.startswith("postgres") or not search_url:
        pytest.fail(
            "The production smoke test needs DATABASE_URL (PostgreSQL) and SEARCH_URL: "
            "run it with `make smoke` as .ci/run does."
        )
    stack = Stack(tmp_path_factory.mktemp("production"), fresh_database(database_url), search_url)
    try:
        timings = {}
        started = time.monotonic()
        stack.manage("migrate", "--no-input")
        stack.manage("createcachetable")
        stack.manage("collectstatic", "--no-input", "--verbosity", "0")
        # The demo content (events, an editor) on the same database: seed_demo refuses production
        # settings, since it adds accounts with known passwords.
        stack.manage("seed_demo", settings="kx_site.settings.dev")
        stack.manage("search_index", "--rebuild")
        timings["prepare"] = time.monotonic() - started
        stack.start_smtp()
        stack.start_proxy()
        stack.start_web()
        stack.start_worker()
        stack.start_scheduler()
        wait_for(lambda: stack.get("/healthz")[0] == 200, timeout=60, what="gunicorn to answer")
        timings["start"] = time.monotonic() - started - timings["prepare"]
        print(  # noqa: T201 - the stage times CI reports
            f"\nproduction stack: prepared in {timings['prepare']:.0f} s, started in "
            f"{timings['start']:.0f} s at {stack.url}"
        )
        yield stack
    finally:
        # Also when starting failed: no process of the stack outlives the test run.
        stack.stop_all()


NGINX_CONFIG = """
{user}
worker_processes 1;
error_log {logs}/nginx-error.log;
pid {temp}/nginx.pid;
events {{}}
http {{
    include /etc/nginx/mime.types;
    access_log {logs}/nginx-access.log;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    server {{
        listen 127.0.0.1:{https_port} ssl;
        ssl_certificate {certificate};
        ssl_certificate_key {key};
        client_max_body_size 50m;
        location /internal-media/ {{
            internal;
            alias {media_root}/;
        }}
        location / {{
            proxy_pass http://127.0.0.1:{web_port};
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-Proto https;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Request-ID $request_id;
        }}
    }}
}}
"""
