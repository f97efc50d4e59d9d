"""Emails about registrations: each one after its transaction commits, rendered by the worker.

``queue_registration_email`` (used by ``events.services`` for every change to a place) queues a
task once the transaction commits; the task renders the email and calendar file and sends them.
See the notes above it for why.

``send_once`` (reminders, feedback invitations: emails each registration gets once, however many
runs) marks a registration's "sent at" field and queues its email in one transaction, on the row
locked with ``SELECT ... FOR UPDATE SKIP LOCKED`` and re-checked under the lock against the "due"
queryset: a second run at the same time skips the row the first holds, and finds the field set
once the first commits. The email goes after commit (``queue_email``), so a rolled-back mark
sends nothing. (SQLite has no row locks; there, writes are serialised by the database lock, and
the re-check under it is enough.)
"""

import logging
from datetime import datetime

from django.db import transaction
from django_tasks import task

from kx_site import links
from kx_site.notifications import new_message_id, queue_email, render_email, send_email

from .calendar import registration_calendar_attachment
from .models import Registration

logger = logging.getLogger(__name__)


def send_once(due, pk, *, field, now, related, email):
    """Mark and queue one email; False if another run holds the row or it is no longer due.

    ``due`` is the queryset of registrations still due it, ``field`` the one marking it sent,
    ``related`` what the email needs joined, and ``email(registration)`` the ``queue_email``
    keywords.
    """
    with transaction.atomic():
        registration = (
            due.select_for_update(skip_locked=True, of=("self",))
            .select_related(*related)
            .filter(pk=pk)
            .first()
        )
        if registration is None:
            return False
        setattr(registration, field, now)
        registration.save(update_fields=[field])
        queue_email(**email(registration))
    return True


# --- Registration emails, rendered by the task worker -------------------------------------------
#
# Registering is the one write hundreds of people make in the same minute, and every
# registration holds the event's row lock until it commits. Rendering an email (and its
# calendar file) is a few milliseconds of templates and a cache read that need no lock and no
# request, so the request only queues its task after commit; the worker renders and sends it.
# What the email must say as of the change (status, calendar SEQUENCE, offer deadline) travels in
# the task as a snapshot, so that an email rendered after a later change still tells the right
# story: a confirmation rendered after a cancellation keeps its older SEQUENCE, and calendar
# programs apply the cancellation.


def _snapshot(registration):
    expires = registration.offer_expires_at
    return {
        "status": registration.status,
        "calendar_sequence": registration.calendar_sequence,
        "offer_expires_at": expires.isoformat() if expires else None,
    }


def queue_registration_email(
    *, template_name, to, registration, calendar=False, cancelled=False, method=None, context=None
):
    """Send ``email/<template_name>`` about ``registration`` once the transaction commits.

    ``context`` holds JSON values only (it travels in the task); the registration and its event
    are loaded by the task. ``method``: the calendar file's iCalendar method, when it is a
    scheduling message (see ``events.calendar.registration_calendar``).
    """
    snapshot = _snapshot(registration)
    # Given now, so that a retried or re-queued task keeps it (see kx_site.notifications).
    message_id = new_message_id()
    # Taken now too: the worker has no request, and the links should lead back to the host the
    # change was made on (kx_site.links).
    links_base = links.base_url()
    transaction.on_commit(
        lambda: send_registration_email.enqueue(
            registration_id=registration.pk,
            template_name=template_name,
            to=to,
            snapshot=snapshot,
            calendar=calendar,
            cancelled=cancelled,
            method=method,
            context=context or {},
            message_id=message_id,
            base_url=links_base,
        )
    )


@task()
def send_registration_email(
    *,
    registration_id,
    template_name,
    to,
    snapshot,
    calendar,
    cancelled,
    context,
    message_id,
    base_url=None,
    method=None,
):
    """``base_url``, taken when the task was queued, starts the email's links; a task queued
    before it was passed falls back to ``BASE_URL``."""
    base_url = base_url or links.base_url()
    registration = (
        Registration.objects.select_related("event", "event__venue", "user", "organisation")
        .filter(pk=registration_id)
        .first()
    )
    if registration is None:
        # Deleted before the worker got to it (the person's data was erased): nobody to tell.
        logger.info("Registration %s is gone: its %s email is not sent", registration_id, to)
        return "gone"
    registration.status = snapshot["status"]
    registration.calendar_sequence = snapshot["calendar_sequence"]
    expires = snapshot["offer_expires_at"]
    registration.offer_expires_at = datetime.fromisoformat(expires) if expires else None
    subject, body = render_email(
        template_name,
        {
            "base_url": base_url,
            "registration": registration,
            "event": registration.event,
            **context,
        },
    )
    attachments = []
    if calendar:
        attachments.append(
            list(
                registration_calendar_attachment(
                    registration, cancelled=cancelled, base_url=base_url, method=method
                )
            )
        )
    # In this task, not a second one: send_email's retries carry the rendered message.
    return send_email.call(
        subject=subject, body=body, to=[to], attachments=attachments, message_id=message_id
    )
