"""Reminder emails 7 days and 1 day before an event, sent by ``manage.py send_event_reminders``.

Meant for cron (say every 15 minutes); running it again, or twice at once, sends nothing twice.

Who is reminded, and when:

- Only confirmed registrations for live events that have not started yet.
- The 7-day reminder goes when the event starts within 7 days but more than 1 day from now, and
  only to people who registered before that 7-day window opened. Someone who registers 6 days
  (or 2 days) before has just had the confirmation email with every detail, so they get no
  7-day reminder; they get the 1-day reminder like everyone else.
- The 1-day reminder goes when the event starts within 1 day. Whoever has not had the 7-day
  reminder by then does not get it late: the 1-day reminder replaces it.

Each reminder goes through ``events.sending.send_once`` (a row lock, a re-check under it, the
email after commit), so two runs at the same time never send the same reminder.
"""

from datetime import timedelta

from django.db.models import F
from django.utils import timezone

from .models import Registration
from .sending import send_once

Status = Registration.Status

# kind -> (field marking it sent, how long before the start it becomes due, template context)
REMINDERS = {
    "7_days": ("reminder_7_days_sent_at", timedelta(days=7), "in a week"),
    "1_day": ("reminder_1_day_sent_at", timedelta(days=1), "tomorrow"),
}


def _due(kind, now):
    """Registrations due the ``kind`` reminder at ``now``, as a queryset."""
    field, before, _ = REMINDERS[kind]
    due = Registration.objects.filter(
        status=Status.CONFIRMED,
        event__live=True,
        event__start__gt=now,
        event__start__lte=now + before,
        **{f"{field}__isnull": True},
    )
    if kind == "7_days":
        one_day = REMINDERS["1_day"][1]
        due = due.filter(
            # Within a day of the start, the 1-day reminder takes over.
            event__start__gt=now + one_day,
            # Registered inside the window: the confirmation email has just told them.
            created_at__lte=F("event__start") - before,
        )
    return due


def _send_one(pk, kind, now):
    field, _, when = REMINDERS[kind]
    return send_once(
        _due(kind, now),
        pk,
        field=field,
        now=now,
        related=("event", "event__venue", "user"),
        email=lambda registration: {
            "template_name": "events/reminder",
            "to": registration.user.email,
            "context": {
                "registration": registration,
                "event": registration.event,
                "when": when,
                "sessions": registration.day,
            },
        },
    )


def send_reminders(now=None):
    """Send every reminder that is due; returns ``{"7_days": n, "1_day": m}`` sent this run."""
    now = now or timezone.now()
    sent = {}
    # The 1-day reminders first: they are the more urgent, and a run that is cut short should
    # have sent those.
    for kind in ("1_day", "7_days"):
        sent[kind] = 0
        for pk in _due(kind, now).order_by("event__start", "pk").values_list("pk", flat=True):
            if _send_one(pk, kind, now):
                sent[kind] += 1
    return sent
