"""queue_email passes extra headers (List-Unsubscribe) to the message, and works without."""

import pytest
from django.core import mail

from kx_site.notifications import queue_email

pytestmark = pytest.mark.django_db

CONTEXT = {
    "item_title": "A page",
    "comment": "",
    "workflow_name": "Approval",
    "recipient": {"first_name": "Sam", "email": "someone@example.org"},
    "item_url": "",
}


def test_queue_email_adds_the_headers_it_is_given(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        queue_email(
            template_name="briefings/workflow_rejected",
            to="someone@example.org",
            context=CONTEXT,
            headers={"List-Unsubscribe": "<http://testserver/x/>"},
        )

    # Beside the Message-ID that every queued email is given (kx_site.notifications).
    assert mail.outbox[0].extra_headers == {
        "List-Unsubscribe": "<http://testserver/x/>",
        "Message-ID": mail.outbox[0].extra_headers["Message-ID"],
    }


def test_queue_email_without_headers_sends_none(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        queue_email(
            template_name="briefings/workflow_rejected",
            to="someone@example.org",
            context=CONTEXT,
        )

    assert "List-Unsubscribe" not in mail.outbox[0].message().as_string()
