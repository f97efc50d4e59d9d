"""A SIGTERM at any moment of the worker's loop loses no task (kx_site's ``db_worker``).

The signal is delivered by calling the handler at the worst moment the library's worker has:
just after it has claimed a task (marked it running, committed) and before it starts it.
"""

import signal
from unittest import mock

import pytest
from django.core.management import get_commands
from django.db import transaction
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from kx_site.management.commands.db_worker import DrainingWorker
from kx_site.notifications import enqueue_email

from .smtp import running_smtp_server

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def smtp_server(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with running_smtp_server(settings) as server:
        yield server


def a_worker(worker_class):
    return worker_class(
        queue_names=["default"],
        interval=0,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )


def signalled_after_first_claim(worker):
    """Patch ``claim`` so the worker gets SIGTERM the moment its first claim commits."""
    claim = DBTaskResult.claim
    signalled = []

    def claim_then_signal(task_result, worker_id):
        claim(task_result, worker_id)
        if not signalled:
            signalled.append(task_result.pk)
            transaction.on_commit(lambda: worker.shutdown(signal.SIGTERM, None))

    return mock.patch.object(DBTaskResult, "claim", claim_then_signal)


def statuses():
    return sorted(DBTaskResult.objects.values_list("status", flat=True))


def queue_two_emails():
    for number in (1, 2):
        enqueue_email(subject=f"Queued {number}", body="Queued.", to="queue@kx.example")


def test_manage_py_db_worker_is_the_draining_worker():
    assert get_commands()["db_worker"] == "kx_site"


def test_a_task_claimed_when_the_signal_arrives_runs_and_the_rest_wait(smtp_server):
    queue_two_emails()
    worker = a_worker(DrainingWorker)

    with signalled_after_first_claim(worker):
        worker.run()  # returns instead of exiting

    assert [email.message["Subject"] for email in smtp_server.received] == ["Queued 1"]
    assert statuses() == [TaskResultStatus.READY, TaskResultStatus.SUCCESSFUL]


def test_the_librarys_worker_would_leave_that_task_running_for_ever(smtp_server):
    """Why the override exists. If this fails, django-tasks-db has fixed issue #61: drop ours."""
    queue_two_emails()
    worker = a_worker(Worker)

    with signalled_after_first_claim(worker), pytest.raises(SystemExit):
        worker.run()

    assert smtp_server.received == []
    assert statuses() == [TaskResultStatus.READY, TaskResultStatus.RUNNING]


def test_a_second_signal_stops_at_once():
    worker = a_worker(DrainingWorker)
    worker.shutdown(signal.SIGTERM, None)
    assert worker.running is False

    with pytest.raises(SystemExit) as stopped:
        worker.shutdown(signal.SIGTERM, None)
    assert stopped.value.code == 1
