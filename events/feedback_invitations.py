"""Feedback invitations after an event, sent by ``manage.py send_event_reminders``.

Each attended delegate (confirmed and checked in) of a live event that has ended, while its
feedback is still open, gets one invitation, unless they have already given feedback. As with
the reminders (events.reminders), each invitation is marked and queued in its own transaction
on a row locked with ``SELECT ... FOR UPDATE SKIP LOCKED`` and checked again under the lock, so
two runs at once never send it twice; the email goes after commit.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from kx_site.notifications import queue_email

from .feedback_services import feedback_days
from .models import Registration


def _due(now):
    return Registration.objects.filter(
        status=Registration.Status.CONFIRMED,
        checked_in_at__isnull=False,
        event__live=True,
        event__end__lte=now,
        event__end__gt=now - timedelta(days=feedback_days()),
        feedback_invitation_sent_at__isnull=True,
        feedback__isnull=True,
    )


def _send_one(pk, now):
    with transaction.atomic():
        registration = (
            _due(now)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("event", "user")
            .filter(pk=pk)
            .first()
        )
        if registration is None:
            return False
        registration.feedback_invitation_sent_at = now
        registration.save(update_fields=["feedback_invitation_sent_at"])
        queue_email(
            template_name="events/feedback_invitation",
            to=registration.user.email,
            context={
                "registration": registration,
                "event": registration.event,
                "closes_at": registration.event.end + timedelta(days=feedback_days()),
            },
        )
    return True


def send_feedback_invitations(now=None):
    """Send every feedback invitation that is due; returns how many were sent this run."""
    now = now or timezone.now()
    pks = _due(now).order_by("event__end", "pk").values_list("pk", flat=True)
    return sum(1 for pk in list(pks) if _send_one(pk, now))
