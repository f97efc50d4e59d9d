"""/healthz and /readyz: what each part reports, when the answer is 503, and that probes get
through whatever the Host header, over plain HTTP and without signing in."""

import json
import sys
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from kx_site import health, scheduler
from tests.production_process import run_production

from ..factories import staff_member

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# What a failure's text may hold and an answer must not.
INFRASTRUCTURE = "db-primary.internal.example:5432"


def ready(client):
    response = client.get("/readyz")
    return response, json.loads(response.content)


def test_healthz_answers_without_the_database(client):
    """No ``db`` fixture: pytest-django fails any query, so this also proves there is none."""
    response = client.get("/healthz")

    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]
    assert response["X-Request-ID"]


def test_the_probes_have_url_names():
    assert reverse("healthz") == "/healthz"
    assert reverse("readyz") == "/readyz"


@pytest.mark.django_db
def test_readyz_reports_every_part(client):
    response, body = ready(client)

    assert response.status_code == 200
    assert body["status"] == "ok"
    assert body["checks"] == {
        "database": {"status": "ok"},
        "cache": {"status": "ok"},
        "search": {"status": "not_configured"},
        "tasks": {"status": "inline"},
        "scheduler": {"status": "unknown", "reason": "no_runs"},
    }
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_refuses_other_methods(client):
    assert client.post("/readyz").status_code == 405


@pytest.mark.django_db
def test_probes_pass_the_host_check_and_the_https_redirect(client, settings):
    """Load balancers probe over HTTP with the target's address as Host."""
    settings.ALLOWED_HOSTS = ["kx.example.gov.uk"]
    settings.SECURE_SSL_REDIRECT = True

    for path in ("/healthz", "/readyz"):
        assert client.get(path, HTTP_HOST="10.0.3.7:8000").status_code == 200, path
    # Everything else still gets both checks.
    assert client.get("/robots.txt", HTTP_HOST="10.0.3.7:8000").status_code == 400
    assert client.get("/robots.txt", HTTP_HOST="kx.example.gov.uk").status_code == 301


@pytest.mark.django_db
def test_probes_are_not_sent_to_set_up_a_second_factor(client):
    client.force_login(staff_member("superuser", second_factor=False))

    assert client.get("/library/").status_code == 302
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200


class BrokenConnection:
    def cursor(self):
        raise OperationalError(f"could not connect to server at {INFRASTRUCTURE}")


@pytest.mark.django_db
def test_a_database_failure_is_503_with_a_reason_code_only(client, monkeypatch, caplog):
    monkeypatch.setattr(health, "connection", BrokenConnection())

    response, body = ready(client)

    assert response.status_code == 503
    assert body["status"] == "failed"
    assert body["checks"]["database"] == {"status": "failed", "reason": "query_failed"}
    assert INFRASTRUCTURE not in response.content.decode()
    # The detail is in the log, for the operator.
    assert any(INFRASTRUCTURE in str(record.exc_info[1]) for record in caplog.records)


class BrokenCache:
    def set(self, *args, **kwargs):
        raise ConnectionError(f"Error connecting to redis://{INFRASTRUCTURE}")


@pytest.mark.django_db
def test_an_unreachable_cache_is_503(client, monkeypatch):
    monkeypatch.setattr(health, "cache", BrokenCache())

    response, body = ready(client)

    assert response.status_code == 503
    assert body["checks"]["cache"] == {"status": "failed", "reason": "unreachable"}
    assert body["checks"]["database"] == {"status": "ok"}
    assert INFRASTRUCTURE not in response.content.decode()


@pytest.mark.django_db
def test_a_cache_that_keeps_nothing_is_503(client, settings):
    """The dummy cache accepts every write and returns nothing: rate limits would not work."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}

    response, body = ready(client)

    assert response.status_code == 503
    assert body["checks"]["cache"] == {"status": "failed", "reason": "not_stored"}


@pytest.mark.django_db
def test_an_unreachable_search_engine_is_a_fallback_not_a_failure(client, settings):
    settings.SEARCH_URL = "http://127.0.0.1:9"  # the discard port: nothing listens

    response, body = ready(client)

    assert response.status_code == 200
    assert body["status"] == "degraded"
    assert body["checks"]["search"] == {"status": "fallback", "reason": "unreachable"}
    assert "127.0.0.1" not in response.content.decode()


class AnsweringClient:
    def ping(self):
        return True


class AnsweringEngine:
    client = AnsweringClient()


@pytest.mark.django_db
def test_a_reachable_search_engine_is_ok(client, settings, monkeypatch):
    settings.SEARCH_URL = "http://search.internal.example:9200"
    monkeypatch.setattr("search.engine.get_engine", lambda **kwargs: AnsweringEngine())

    response, body = ready(client)

    assert body["checks"]["search"] == {"status": "ok"}
    assert body["status"] == "ok"
    assert "search.internal" not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.skipif(not settings.SEARCH_TEST_URL, reason="set SEARCH_URL to a running engine")
def test_a_running_search_engine_is_ok(client, settings):
    settings.SEARCH_URL = settings.SEARCH_TEST_URL

    assert ready(client)[1]["checks"]["search"] == {"status": "ok"}


def queued_task(*, waiting, status="READY", run_after=None):
    task = DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="kx_site.notifications.send_email",
        backend_name="default",
        status=status,
        run_after=run_after or get_date_max(),
    )
    DBTaskResult.objects.filter(pk=task.pk).update(enqueued_at=timezone.now() - waiting)
    return task


@pytest.mark.django_db
def test_an_empty_task_queue_is_ok(client, settings):
    settings.TASKS = DATABASE_TASKS

    assert ready(client)[1]["checks"]["tasks"] == {
        "status": "ok",
        "oldest_ready_age_seconds": None,
        "max_age_seconds": 900,
    }


@pytest.mark.django_db
def test_the_oldest_due_task_is_reported(client, settings):
    settings.TASKS = DATABASE_TASKS
    queued_task(waiting=timedelta(minutes=2))
    queued_task(waiting=timedelta(minutes=5))
    # Started or finished tasks, and a retry that is not due yet, are not waiting.
    queued_task(waiting=timedelta(hours=2), status="RUNNING")
    queued_task(waiting=timedelta(hours=3), status="FAILED")
    queued_task(waiting=timedelta(hours=4), run_after=timezone.now() + timedelta(minutes=10))

    response, body = ready(client)

    assert response.status_code == 200
    assert body["status"] == "ok"
    tasks = body["checks"]["tasks"]
    assert tasks["status"] == "ok"
    assert 300 <= tasks["oldest_ready_age_seconds"] < 330


@pytest.mark.django_db
def test_a_retry_waits_from_when_it_became_due(client, settings):
    settings.TASKS = DATABASE_TASKS
    queued_task(waiting=timedelta(hours=1), run_after=timezone.now() - timedelta(minutes=1))

    assert 60 <= ready(client)[1]["checks"]["tasks"]["oldest_ready_age_seconds"] < 90


@pytest.mark.django_db
def test_a_stuck_task_queue_is_degraded_but_still_ready(client, settings):
    settings.TASKS = DATABASE_TASKS
    settings.KX_READY_MAX_TASK_AGE = 600
    queued_task(waiting=timedelta(minutes=11))

    response, body = ready(client)

    assert response.status_code == 200
    assert body["status"] == "degraded"
    assert body["checks"]["tasks"]["status"] == "degraded"
    assert body["checks"]["tasks"]["max_age_seconds"] == 600


def finished(minutes_ago, ok=True):
    return {"finished_at": timezone.now() - timedelta(minutes=minutes_ago), "ok": ok}


@pytest.mark.django_db
def test_the_scheduler_jobs_are_reported(client, monkeypatch):
    runs = {"expire_offers": finished(2), "send_forum_digests": finished(60 * 20)}
    monkeypatch.setattr(scheduler, "last_runs", lambda: runs)

    _, body = ready(client)

    assert body["status"] == "ok"
    report = body["checks"]["scheduler"]
    assert report["status"] == "ok"
    assert report["jobs"]["expire_offers"]["ok"] is True
    assert report["jobs"]["expire_offers"]["late"] is False
    assert 120 <= report["jobs"]["expire_offers"]["age_seconds"] < 150
    assert report["jobs"]["send_forum_digests"]["late"] is False


@pytest.mark.django_db
def test_a_failed_job_is_degraded_but_still_ready(client, monkeypatch):
    monkeypatch.setattr(scheduler, "last_runs", lambda: {"expire_offers": finished(2, ok=False)})

    response, body = ready(client)

    assert response.status_code == 200
    assert body["status"] == "degraded"
    assert body["checks"]["scheduler"]["status"] == "failed"
    assert body["checks"]["scheduler"]["jobs"]["expire_offers"]["ok"] is False


@pytest.mark.django_db
def test_a_job_that_missed_a_whole_slot_is_late(client, monkeypatch):
    """A scheduler that stopped leaves its last good runs behind; their age gives it away."""
    monkeypatch.setattr(scheduler, "last_runs", lambda: {"expire_offers": finished(30)})

    response, body = ready(client)

    assert response.status_code == 200
    assert body["status"] == "degraded"
    assert body["checks"]["scheduler"]["status"] == "late"
    assert body["checks"]["scheduler"]["jobs"]["expire_offers"]["late"] is True


@pytest.mark.django_db
def test_an_unreadable_scheduler_record_is_reported_without_its_text(client, monkeypatch):
    def unreadable():
        raise ConnectionError(INFRASTRUCTURE)

    monkeypatch.setattr(scheduler, "last_runs", unreadable)

    response, body = ready(client)

    assert response.status_code == 200
    assert body["checks"]["scheduler"] == {"status": "error", "reason": "unreadable"}
    assert INFRASTRUCTURE not in response.content.decode()


@pytest.mark.django_db
def test_without_the_scheduler_module_it_is_unknown(client, monkeypatch):
    monkeypatch.setitem(sys.modules, "kx_site.scheduler", None)

    response, body = ready(client)

    assert response.status_code == 200
    assert body["status"] == "ok"
    assert body["checks"]["scheduler"] == {"status": "unknown", "reason": "not_installed"}


@pytest.mark.django_db
def test_without_last_runs_it_is_unknown(client, monkeypatch):
    monkeypatch.delattr(scheduler, "last_runs")

    assert ready(client)[1]["checks"]["scheduler"] == {
        "status": "unknown",
        "reason": "not_installed",
    }


PRODUCTION_PROBE = """
import json
import django
django.setup()
from django.test import Client

client = Client()
for path, host in [
    ("/healthz", "10.0.3.7:8000"),
    ("/readyz", "10.0.3.7:8000"),
    ("/robots.txt", "kx.example.gov.uk"),
]:
    response = client.get(path, HTTP_HOST=host)
    print("RESULT", json.dumps([path, response.status_code, response.content.decode()]))
"""


def test_production_probes_over_http_from_any_host(tmp_path):
    """Production settings, a database without tables: the cache table is missing, so /readyz
    is 503 with reason codes only; /healthz stays 200; other paths still redirect to HTTPS."""
    done = run_production(
        "-c",
        PRODUCTION_PROBE,
        DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        LOG_LEVEL="WARNING",
    )
    assert done.returncode == 0, done.stderr
    results = {
        path: (status, content)
        for path, status, content in (
            json.loads(line.removeprefix("RESULT "))
            for line in done.stdout.splitlines()
            if line.startswith("RESULT ")
        )
    }
    assert results["/healthz"] == (200, '{"status": "ok"}')
    status, content = results["/readyz"]
    assert status == 503
    body = json.loads(content)
    assert body["checks"]["database"] == {"status": "ok"}
    assert body["checks"]["cache"] == {"status": "failed", "reason": "unreachable"}
    assert body["checks"]["tasks"] == {"status": "error", "reason": "query_failed"}
    assert "kx_cache" not in content and "sqlite" not in content
    assert results["/robots.txt"][0] == 301
