"""Feedback invitations after an event, sent by ``manage.py send_event_reminders``.

Each attended delegate (confirmed and checked in) of a live event that has ended, while its
feedback is still open, gets one invitation, unless they have already given feedback. As with
the reminders, each invitation goes through ``events.sending.send_once``, so two runs at once
never send it twice.
"""

from datetime import timedelta

from django.utils import timezone

from ..models import Registration
from ..sending import send_once
from .services import feedback_days


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


def _invitation(registration):
    return {
        "template_name": "events/feedback_invitation",
        "to": registration.user.email,
        "context": {
            "registration": registration,
            "event": registration.event,
            "closes_at": registration.event.end + timedelta(days=feedback_days()),
        },
    }


def send_feedback_invitations(now=None):
    """Send every feedback invitation that is due; returns how many were sent this run."""
    now = now or timezone.now()
    pks = _due(now).order_by("event__end", "pk").values_list("pk", flat=True)
    return sum(
        1
        for pk in list(pks)
        if send_once(
            _due(now),
            pk,
            field="feedback_invitation_sent_at",
            now=now,
            related=("event", "user"),
            email=_invitation,
        )
    )
