"""A failing mail server never fails the request that sends the email."""

import logging
from datetime import timedelta
from smtplib import SMTPException

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from kx_site.notifications import queue_email, send_email
from tests.factories import PASSWORD

FAILING_BACKEND = f"{__name__}.FailingEmailBackend"


class FailingEmailBackend(BaseEmailBackend):
    """A mail server that refuses every message."""

    attempts = 0

    def send_messages(self, email_messages):
        FailingEmailBackend.attempts += 1
        raise SMTPException("421 Service not available")


@pytest.fixture
def failing_mail_server(settings):
    FailingEmailBackend.attempts = 0
    settings.EMAIL_BACKEND = FAILING_BACKEND
    return FailingEmailBackend


def test_send_email_sends_through_the_configured_backend():
    result = send_email.enqueue(subject="Hello", body="Body", to=["a@example.org"])

    assert result.return_value == "sent"
    assert [m.to for m in mail.outbox] == [["a@example.org"]]


def test_send_email_reports_failure_instead_of_raising(failing_mail_server, caplog):
    with caplog.at_level(logging.WARNING, logger="kx_site.notifications"):
        result = send_email.enqueue(subject="Hello", body="Body", to=["a@example.org"])

    assert result.return_value == "failed"
    assert failing_mail_server.attempts == 1
    assert "421 Service not available" in caplog.text
    # The immediate backend cannot defer a retry, so the task gives up and says so.
    assert any(r.levelno == logging.ERROR and "given up" in r.getMessage() for r in caplog.records)


def test_the_task_retries_later_where_the_backend_can_defer(failing_mail_server, monkeypatch):
    """With the database queue a failed send is tried again after 2**attempt minutes."""
    from kx_site import retrying

    deferred = []

    class DeferringBackend:
        supports_defer = True

    class Later:
        def __init__(self, run_after):
            self.run_after = run_after

        def enqueue(self, **kwargs):
            deferred.append((self.run_after, kwargs))

    monkeypatch.setattr(retrying, "default_task_backend", DeferringBackend())
    monkeypatch.setattr(type(send_email), "using", lambda self, run_after=None: Later(run_after))

    result = send_email.call(subject="Hello", body="Body", to=["a@example.org"], attempt=2)

    assert result == "retrying"
    run_after, kwargs = deferred.pop()
    assert kwargs == {
        "subject": "Hello",
        "body": "Body",
        "to": ["a@example.org"],
        "attachments": (),
        "attempt": 3,
    }
    assert timedelta(minutes=3) < run_after - timezone.now() <= timedelta(minutes=4)
    # The last attempt is not retried.
    assert send_email.call(subject="x", body="x", to=["a@example.org"], attempt=5) == "failed"
    assert deferred == []


@pytest.mark.django_db
def test_queued_email_waits_for_the_commit_and_is_not_html_escaped(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        queue_email(
            template_name="verification_refused",
            to="a@example.org",
            context={
                "user": User(first_name="Siobhan", last_name="O'Brien"),
                "verification_request": None,
            },
        )
        assert mail.outbox == []

    assert len(mail.outbox) == 1
    assert "Siobhan O'Brien" in mail.outbox[0].body


@pytest.mark.django_db
def test_signup_succeeds_when_the_mail_server_fails(client, failing_mail_server):
    response = client.post(
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

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert User.objects.filter(email="pat.jones@kent.police.uk").exists()
    assert failing_mail_server.attempts == 1
    assert mail.outbox == []
