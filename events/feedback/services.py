"""Feedback after an event, from the delegates who attended it.

Who may give feedback: the delegate of a confirmed registration who was checked in at the event,
once the event has ended. They give it once and may change it until feedback closes,
``KX_EVENT_FEEDBACK_DAYS`` (default 28) days after the event ends; the form then shows what they
gave but takes no more changes. The retention period (events.maintenance) later erases the free
text and keeps the scores.

Which sessions they rate: every session that runs alone in its time slot (plenaries: everyone
was there) and the sessions they chose among parallel ones. They may answer "I did not go" for
any of them; a missing rating is not counted in the mean.
"""

from collections.abc import Mapping
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kx_site.audience import user_has_verified_email

from ..log_actions import log_registrations
from ..models import EventSession, FeedbackResponse, Registration, SessionFeedback
from ..programme import delegate_day

COMMENTS_MAX_LENGTH = 5000

REFUSALS = {
    "not_attended": "Only delegates who attended the event can give feedback on it.",
    "not_ended": "You can give feedback once the event has ended.",
    "closed": "Feedback on this event has closed.",
}


def feedback_days():
    return settings.KX_EVENT_FEEDBACK_DAYS


def feedback_closes_at(event):
    return event.end + timedelta(days=feedback_days())


def has_attended(registration):
    return (
        registration.status == Registration.Status.CONFIRMED
        and registration.checked_in_at is not None
    )


def sessions_attended(registration, sessions=None):
    """The sessions the delegate is taken to have attended: plenaries and their own choices.

    ``sessions``: the event's sessions, when the caller has them already.
    """
    if sessions is None:
        sessions = list(EventSession.objects.filter(event_id=registration.event_id))
    return delegate_day(sessions, registration.sessions.all())


def feedback_refusal(registration, now=None):
    """Why this registration's delegate may not give (or change) feedback now, or None."""
    now = now or timezone.now()
    if not has_attended(registration):
        return "not_attended"
    if registration.event.end > now:
        return "not_ended"
    if now >= feedback_closes_at(registration.event):
        return "closed"
    return None


def feedback_offer_refusal(registration, user, now=None):
    """Why the feedback page would turn this user away now ("email" or a ``feedback_refusal``).

    The feedback view and the "Give feedback" link on My events both ask this, so the link is
    offered exactly when the page would take feedback.
    """
    if not user_has_verified_email(user):
        return "email"
    return feedback_refusal(registration, now)


def _check_score(value, field):
    if value not in range(1, 6):
        raise ValidationError({field: "Choose a score from 1 to 5."})


@transaction.atomic
def feedback_submit(
    *,
    registration: Registration,
    overall_rating: int,
    practice_change: int,
    comments: str = "",
    session_ratings: Mapping[int, int | None] | None = None,
    now=None,
) -> FeedbackResponse:
    """Record (or replace) the delegate's feedback on their event.

    ``session_ratings`` maps session ids to a usefulness score from 1 to 5, or None for a
    session the delegate did not go to. Sessions the delegate cannot rate are refused.
    """
    now = now or timezone.now()
    # The lock makes two submissions at once (a double click) one after the other.
    registration = (
        Registration.objects.select_for_update(of=("self",))
        .select_related("event")
        .get(pk=registration.pk)
    )
    refusal = feedback_refusal(registration, now)
    if refusal:
        raise ValidationError(REFUSALS[refusal], code=refusal)
    _check_score(overall_rating, "overall_rating")
    _check_score(practice_change, "practice_change")
    comments = (comments or "").strip()
    if len(comments) > COMMENTS_MAX_LENGTH:
        raise ValidationError(
            {"comments": f"Comments must be {COMMENTS_MAX_LENGTH} characters or fewer."}
        )
    session_ratings = dict(session_ratings or {})
    allowed = {session.pk for session in sessions_attended(registration)}
    if not set(session_ratings) <= allowed:
        raise ValidationError({"session_ratings": "You can only rate the sessions you went to."})
    for score in session_ratings.values():
        if score is not None:
            _check_score(score, "session_ratings")

    response, created = FeedbackResponse.objects.get_or_create(
        registration=registration,
        defaults={
            "event": registration.event,
            "overall_rating": overall_rating,
            "practice_change": practice_change,
            "comments": comments,
            "submitted_at": now,
            "updated_at": now,
        },
    )
    if not created:
        response.overall_rating = overall_rating
        response.practice_change = practice_change
        response.comments = comments
        response.updated_at = now
        response.save(
            update_fields=["overall_rating", "practice_change", "comments", "updated_at"]
        )
        response.session_ratings.all().delete()
    SessionFeedback.objects.bulk_create(
        SessionFeedback(response=response, session_id=session_id, usefulness=score)
        for session_id, score in session_ratings.items()
        if score is not None
    )
    log_registrations(
        [registration],
        "feedback_given" if created else "feedback_changed",
        user=registration.user,
        timestamp=now,
    )
    return response
