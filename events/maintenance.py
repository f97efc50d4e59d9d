"""Retention: erase delegates' dietary and access needs, and the free text of their feedback,
some time after their event.

``manage.py erase_event_personal_data`` calls ``erase_expired_personal_data`` and
``erase_expired_feedback_comments``. The period is the setting ``KX_EVENT_RETENTION_DAYS``
(default 90 days after the event ends). Registrations are kept, with their status, sessions and
check-in, and feedback responses with their scores, so that counts, attendance figures and the
feedback report's numbers stay.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import EventPage, FeedbackResponse, Registration


def retention_days():
    return settings.KX_EVENT_RETENTION_DAYS


def erase_expired_personal_data(now=None):
    """Blank dietary and access needs for events that ended more than the period ago.

    Returns ``[(event, number of registrations erased), ...]`` for the events where anything
    was erased; running it again erases nothing more and returns ``[]``.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=retention_days())
    has_needs = ~Q(dietary_needs="") | ~Q(access_needs="")
    events = EventPage.objects.filter(
        end__lt=cutoff, pk__in=Registration.objects.filter(has_needs).values("event")
    ).order_by("end", "pk")
    erased = []
    for event in events:
        with transaction.atomic():
            count = Registration.objects.filter(has_needs, event=event).update(
                dietary_needs="", access_needs=""
            )
        if count:
            erased.append((event, count))
    return erased


def erase_expired_feedback_comments(now=None):
    """Blank the free-text comments of feedback on events that ended more than the period ago.

    The scores stay. Returns ``[(event, number of comments erased), ...]`` like
    ``erase_expired_personal_data``; running it again returns ``[]``.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=retention_days())
    expired = FeedbackResponse.objects.filter(event__end__lt=cutoff).exclude(comments="")
    events = EventPage.objects.filter(pk__in=expired.values("event")).order_by("end", "pk")
    erased = []
    for event in events:
        with transaction.atomic():
            count = expired.filter(event=event).update(comments="", comments_erased_at=now)
        if count:
            erased.append((event, count))
    return erased
