"""gunicorn.conf.py serves KX on the production settings, as the Procfile and the image run it."""

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.production_process import production_environment

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")


def web_environment(tmp_path, **extra):
    environment = production_environment(
        # A database of its own: the pages asked for here read none.
        DATABASE_URL=f"sqlite:///{tmp_path / 'web.sqlite3'}",
        KX_VAR_DIR=str(tmp_path / "var"),
        # Where gunicorn 25.1+ would put its per-user control socket.
        XDG_RUNTIME_DIR=str(tmp_path / "run"),
        HOME=str(tmp_path / "home"),
        **extra,
    )
    (tmp_path / "run").mkdir()
    (tmp_path / "home").mkdir()
    return environment


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url, **headers):
    request = urllib.request.Request(url, headers={"Host": "kx.example.gov.uk", **headers})

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def wait_for_log(path, text, seconds=10):
    deadline = time.monotonic() + seconds
    while text not in (log := path.read_text()):
        assert time.monotonic() < deadline, f"{text!r} not logged in {seconds} s:\n{log}"
        time.sleep(0.05)
    return log


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory):
    """One server for the module's tests: starting one takes a few seconds."""
    tmp_path = tmp_path_factory.mktemp("gunicorn")
    port = free_port()
    environment = web_environment(
        tmp_path, KX_BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="1", KX_THREADS="2"
    )
    log = open(tmp_path / "gunicorn.log", "w+")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [str(GUNICORN), "-c", "gunicorn.conf.py"],
        cwd=ROOT,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        assert process.poll() is None, (tmp_path / "gunicorn.log").read_text()
        # Up once a worker answers; by then the master has opened whatever sockets it opens.
        try:
            get(f"{base}/robots.txt", **{"X-Forwarded-Proto": "https"})
            break
        except OSError:
            assert time.monotonic() < deadline, "gunicorn did not answer in 30 s"
            time.sleep(0.1)
    yield base, tmp_path
    process.terminate()
    try:
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        log.close()


def test_gunicorn_serves_the_site_behind_a_tls_proxy(gunicorn):
    base, _ = gunicorn

    status, _, body = get(f"{base}/robots.txt", **{"X-Forwarded-Proto": "https"})

    assert status == 200
    assert b"Sitemap" in body or b"User-agent" in body


def test_plain_http_is_redirected_to_https(gunicorn):
    base, _ = gunicorn

    status, headers, _ = get(f"{base}/robots.txt")

    assert status == 301
    assert headers["Location"] == "https://kx.example.gov.uk/robots.txt"


def test_the_access_log_goes_to_stdout_without_query_strings(gunicorn):
    base, tmp_path = gunicorn

    get(f"{base}/robots.txt?key=secret-reset-token", **{"X-Forwarded-Proto": "https"})

    # Gunicorn writes the line once the response has gone.
    log = wait_for_log(tmp_path / "gunicorn.log", '"GET /robots.txt HTTP/1.1" 200')
    assert "secret-reset-token" not in log


def test_no_control_socket_is_shared_between_instances(gunicorn):
    """Gunicorn 25.1+ opens one per user by default; a second instance would take it over."""
    _, tmp_path = gunicorn

    assert list((tmp_path / "run").iterdir()) == []
    assert not (tmp_path / "home" / ".gunicorn").exists()


def test_the_settings_come_from_the_environment(tmp_path):
    environment = web_environment(
        tmp_path, KX_BIND="0.0.0.0:9000", WEB_CONCURRENCY="5", KX_THREADS="3"
    )

    printed = subprocess.run(
        [str(GUNICORN), "-c", "gunicorn.conf.py", "--print-config"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    config = {
        name.strip(): value.strip()
        for name, _, value in (line.partition("=") for line in printed.splitlines())
    }

    assert config["bind"] == "['0.0.0.0:9000']"
    assert config["workers"] == "5"
    assert config["threads"] == "3"
    assert config["worker_class"] == "gthread"
    assert config["control_socket_disable"] == "True"
    assert config["max_requests"] == "5000"
    assert config["wsgi_app"] == "kx_site.wsgi:application"
