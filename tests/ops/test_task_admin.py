"""Administrators see failed and stuck background tasks in the Wagtail admin and retry them."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from wagtail.models import ModelLogEntry

from kx_site import admin_tasks
from kx_site.notifications import send_email
from search.tasks import index_object
from tests.factories import UserFactory, staff_member

pytestmark = pytest.mark.django_db

REPORT_URL = "/admin/tasks/"
Status = TaskResultStatus


def retry_url(task):
    return f"/admin/tasks/{task.pk}/retry/"


@pytest.fixture(autouse=True)
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.KX_TASK_STUCK_MINUTES = 30


def run_queue():
    """What `manage.py db_worker` does with each task, minus its connection housekeeping, which
    would close the test's transaction: claim it, run it, record the outcome."""
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    while (task := DBTaskResult.objects.ready().first()) is not None:
        task.claim(worker.worker_id)
        worker.run_task(task)


@pytest.fixture
def failed_task():
    """Indexing an object of a model the code no longer has: the worker records the failure."""
    result = index_object.enqueue(model_label="events.RetiredModel", pk=1)
    run_queue()
    task = DBTaskResult.objects.get(pk=result.id)
    assert task.status == Status.FAILED
    return task


@pytest.fixture
def stuck_running():
    """An email whose worker died two hours into sending it."""
    result = send_email.enqueue(subject="Your place", body="Body", to=["jo.bloggs@example.org"])
    task = DBTaskResult.objects.get(pk=result.id)
    task.claim("a-worker-that-died")
    DBTaskResult.objects.filter(pk=task.pk).update(started_at=timezone.now() - timedelta(hours=2))
    task.refresh_from_db()
    return task


@pytest.fixture
def stuck_waiting():
    result = send_email.enqueue(subject="Waiting", body="Body", to=["sam@example.org"])
    DBTaskResult.objects.filter(pk=result.id).update(
        enqueued_at=timezone.now() - timedelta(hours=1)
    )
    return DBTaskResult.objects.get(pk=result.id)


@pytest.fixture
def admin_client(client):
    client.force_login(staff_member("superuser"))
    return client


# The report ------------------------------------------------------------------------------------


def test_the_report_lists_failed_and_stuck_tasks_but_not_healthy_ones(
    admin_client, failed_task, stuck_running, stuck_waiting
):
    fresh = send_email.enqueue(subject="Just now", body="Body", to=["new@example.org"])

    response = admin_client.get(REPORT_URL)

    assert response.status_code == 200
    page = response.content.decode()
    stuck = {row["task"].pk for row in response.context["stuck"]}
    failed = [row["task"].pk for row in response.context["failed"]]
    assert stuck == {stuck_running.pk, stuck_waiting.pk}
    assert failed == [failed_task.pk]
    assert str(fresh.id) not in page
    assert "search.tasks.index_object" in page
    assert (
        "LookupError: App &#x27;events&#x27; doesn&#x27;t have a &#x27;RetiredModel&#x27; model."
        in page
    )
    # A failed task and a task stuck running may be retried; a waiting one needs a worker.
    assert retry_url(failed_task) in page
    assert retry_url(stuck_running) in page
    assert retry_url(stuck_waiting) not in page


def test_the_report_never_shows_a_tasks_arguments(admin_client, stuck_running):
    page = admin_client.get(REPORT_URL).content.decode()

    assert str(stuck_running.pk) in page
    assert "jo.bloggs@example.org" not in page
    assert "Your place" not in page


def test_the_report_makes_the_same_queries_however_many_tasks_failed(admin_client):
    def queries_for_report():
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(REPORT_URL).status_code == 200
        return len(queries)

    index_object.enqueue(model_label="events.RetiredModel", pk=1)
    run_queue()
    few = queries_for_report()
    for pk in range(2, 7):
        index_object.enqueue(model_label="events.RetiredModel", pk=pk)
    run_queue()
    assert DBTaskResult.objects.filter(status=Status.FAILED).count() == 6

    assert queries_for_report() == few


@pytest.mark.parametrize(
    "account",
    [
        lambda: staff_member("Editors"),
        lambda: staff_member("Moderators"),
        lambda: staff_member("superuser", second_factor=False),
        lambda: UserFactory(),
    ],
    ids=["editor", "moderator", "superuser-without-second-factor", "member"],
)
def test_only_superusers_with_a_second_factor_see_the_report(client, account, failed_task):
    client.force_login(account())

    response = client.get(REPORT_URL)

    assert response.status_code in {302, 403}
    assert "search.tasks.index_object" not in response.content.decode()


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(REPORT_URL)

    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_the_reports_menu_offers_the_report_to_superusers_only():
    item = admin_tasks.reports_menu_item()
    request = RequestFactory().get("/admin/")

    request.user = staff_member("superuser")
    assert item.is_shown(request)
    request.user = staff_member("Editors")
    assert not item.is_shown(request)


# Retrying --------------------------------------------------------------------------------------


def test_retry_enqueues_the_same_task_again_and_says_who_did_it(client, failed_task):
    admin = staff_member("superuser")
    client.force_login(admin)

    response = client.post(retry_url(failed_task))

    assert response.status_code == 302
    assert response["Location"] == REPORT_URL
    again = DBTaskResult.objects.exclude(pk=failed_task.pk).get()
    assert again.status == Status.READY
    assert again.task_path == "search.tasks.index_object"
    assert again.args_kwargs == failed_task.args_kwargs
    entry = ModelLogEntry.objects.get(action=admin_tasks.RETRY_ACTION)
    assert entry.object_id == str(failed_task.pk)
    assert entry.user == admin
    assert entry.data["retried_as"] == str(again.pk)
    # The report now says so, and offers no second retry.
    row = client.get(REPORT_URL).context["failed"][0]
    assert row["task"].pk == failed_task.pk
    assert row["retry"] == entry and not row["can_retry"]


def test_a_task_is_retried_once_however_often_the_button_is_pressed(admin_client, failed_task):
    admin_client.post(retry_url(failed_task))
    admin_client.post(retry_url(failed_task))

    assert DBTaskResult.objects.count() == 2
    assert ModelLogEntry.objects.filter(action=admin_tasks.RETRY_ACTION).count() == 1


def test_retrying_a_stuck_running_task_marks_it_abandoned(admin_client, stuck_running):
    admin_client.post(retry_url(stuck_running))

    stuck_running.refresh_from_db()
    assert stuck_running.status == Status.FAILED
    assert stuck_running.exception_class_path == "kx_site.admin_tasks.TaskAbandoned"
    again = DBTaskResult.objects.exclude(pk=stuck_running.pk).get()
    assert again.status == Status.READY
    assert again.args_kwargs == stuck_running.args_kwargs


def test_a_task_running_for_less_than_the_threshold_is_not_retried(admin_client, stuck_running):
    DBTaskResult.objects.filter(pk=stuck_running.pk).update(
        started_at=timezone.now() - timedelta(minutes=5)
    )

    admin_client.post(retry_url(stuck_running))

    assert DBTaskResult.objects.count() == 1
    stuck_running.refresh_from_db()
    assert stuck_running.status == Status.RUNNING


def test_a_waiting_task_is_not_copied(admin_client, stuck_waiting):
    admin_client.post(retry_url(stuck_waiting))

    assert DBTaskResult.objects.count() == 1


def test_the_retried_task_runs_on_the_worker(admin_client, stuck_running, mailoutbox):
    admin_client.post(retry_url(stuck_running))

    run_queue()

    assert [m.to for m in mailoutbox] == [["jo.bloggs@example.org"]]


def test_retry_is_a_post(admin_client, failed_task):
    assert admin_client.get(retry_url(failed_task)).status_code == 405
    assert DBTaskResult.objects.count() == 1


@pytest.mark.parametrize(
    "account",
    [
        lambda: staff_member("Editors"),
        lambda: staff_member("superuser", second_factor=False),
        lambda: UserFactory(),
    ],
    ids=["editor", "superuser-without-second-factor", "member"],
)
def test_only_superusers_with_a_second_factor_may_retry(client, account, failed_task):
    client.force_login(account())

    response = client.post(retry_url(failed_task))

    assert response.status_code in {302, 403}
    assert DBTaskResult.objects.count() == 1
    assert not ModelLogEntry.objects.filter(action=admin_tasks.RETRY_ACTION).exists()
