"""With production's database queue and its worker, a mail server that is down loses nothing and
a mail server that comes back gets every email exactly once.

The worker is django_tasks_db's own (``Worker`` from its ``db_worker`` command, in batch mode:
it runs every task that is due, then returns). Back-off is real: a failed send is put back with
``run_after`` in the future; the test moves those times into the past instead of waiting.
"""

from collections import Counter
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from accounts.models import User
from events.models import Registration
from forums import services as forum_services
from forums.models import Post
from kx_site.notifications import enqueue_email
from tests.events.factories import EventPageFactory
from tests.factories import PASSWORD, PractitionerFactory, ProbationPractitionerFactory
from tests.forums.conftest import make_category

from .smtp import running_smtp_server

# The worker reads what the requests committed, so these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SEND_EMAIL = "kx_site.notifications.send_email"


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.KX_EMAIL_RETRY_BASE_SECONDS = 60


@pytest.fixture
def smtp_server(settings, database_queue):
    with running_smtp_server(settings) as server:
        yield server


def run_worker():
    """``manage.py db_worker --batch``, minus the signal handlers a test process must keep."""
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    ).run()


def waiting_sends():
    return DBTaskResult.objects.filter(task_path=SEND_EMAIL, status=TaskResultStatus.READY)


def bring_retries_forward():
    """What waiting out the back-off would do."""
    return waiting_sends().update(run_after=timezone.now() - timedelta(seconds=1))


def test_requests_succeed_while_the_mail_server_is_down_and_every_email_arrives_once_later(
    client, smtp_server
):
    event = EventPageFactory(title="Managing risk workshop")
    officer = PractitionerFactory()
    thread_author = PractitionerFactory()
    replier = ProbationPractitionerFactory()
    thread = forum_services.thread_create(
        category=make_category("risk-management"),
        author=thread_author,
        title="Sharing ARMS practice",
        body="How?",
    )
    run_worker()  # the new thread's announcement: nobody to tell yet
    smtp_server.stop()

    client.force_login(officer)
    registered = client.post(f"/my-events/register/{event.pk}/", {})
    client.force_login(replier)
    replied = client.post(reverse("forums:reply", args=[thread.pk]), {"body": "We pair visits."})
    client.logout()
    signed_up = client.post(
        reverse("account_signup"),
        {
            "first_name": "Pat",
            "last_name": "Jones",
            "job_title": "PC",
            "email": "pat.jones@kent.police.uk",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )

    # Nothing that needs the mail server runs in the request: all three succeed and are saved.
    assert [registered.status_code, replied.status_code, signed_up.status_code] == [302] * 3
    assert Registration.objects.filter(event=event, user=officer).exists()
    assert Post.objects.filter(thread=thread, author=replier).exists()
    assert User.objects.filter(email="pat.jones@kent.police.uk").exists()

    # The worker tries each email, fails, and puts it back for 2 minutes later, then 4.
    for attempt, wait in [(2, timedelta(minutes=2)), (3, timedelta(minutes=4))]:
        before = timezone.now()
        run_worker()
        after = timezone.now()
        retries = list(waiting_sends())
        assert len(retries) == 3
        for retry in retries:
            assert retry.args_kwargs["kwargs"]["attempt"] == attempt
            assert before + wait <= retry.run_after <= after + wait
        assert smtp_server.received == []
        bring_retries_forward()

    expected = {
        retry.args_kwargs["kwargs"]["message_id"]: retry.args_kwargs["kwargs"]["to"]
        for retry in waiting_sends()
    }
    smtp_server.start()
    run_worker()
    run_worker()  # a second pass finds nothing left to send

    assert not DBTaskResult.objects.exclude(status=TaskResultStatus.SUCCESSFUL).exists()
    assert smtp_server.message_id_counts() == Counter(dict.fromkeys(expected, 1))
    arrived = {email.message_id: email.rcpt_tos for email in smtp_server.received}
    assert arrived == expected
    assert sorted(to for [to] in arrived.values()) == sorted(
        [officer.email, thread_author.email, "pat.jones@kent.police.uk"]
    )
    [confirmation] = [e for e in smtp_server.received if e.rcpt_tos == [officer.email]]
    assert [name for name, _, _ in confirmation.attachments()] == ["event.ics"]


def test_a_send_put_back_after_its_worker_died_sends_no_second_copy(smtp_server, monkeypatch):
    """The worker dies after the mail server accepted the email but before the queue heard
    that the task had finished: the task stays "running". Put back in the queue, it finds its
    Message-ID recorded as sent and sends nothing."""

    class WorkerKilled(BaseException):
        pass

    def die(self, *args, **kwargs):
        raise WorkerKilled

    enqueue_email(subject="Your place is confirmed", body="See you there.", to="a@example.org")
    with monkeypatch.context() as patch:
        patch.setattr(DBTaskResult, "set_successful", die)
        patch.setattr(DBTaskResult, "set_failed", die)
        with pytest.raises(WorkerKilled):
            run_worker()

    task = DBTaskResult.objects.get()
    assert task.status == TaskResultStatus.RUNNING
    assert len(smtp_server.received) == 1

    DBTaskResult.objects.filter(pk=task.pk).update(status=TaskResultStatus.READY)
    run_worker()

    task.refresh_from_db()
    assert task.status == TaskResultStatus.SUCCESSFUL
    assert task.return_value == "already sent"
    assert smtp_server.message_id_counts() == Counter(
        {task.args_kwargs["kwargs"]["message_id"]: 1}
    )


def test_an_email_the_server_refuses_for_good_is_given_up_after_the_last_attempt(
    smtp_server, settings
):
    settings.KX_EMAIL_MAX_ATTEMPTS = 3
    smtp_server.stop()
    enqueue_email(subject="Hello", body="Body", to="a@example.org")

    for _ in range(3):
        run_worker()
        bring_retries_forward()

    sends = DBTaskResult.objects.filter(task_path=SEND_EMAIL).order_by("enqueued_at")
    assert [task.return_value for task in sends] == ["retrying", "retrying", "failed"]
    assert not waiting_sends().exists()
