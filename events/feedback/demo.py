"""Demo feedback for the past conference, so that the organisers' report has something to show.

Four of its five attended delegates answer; the fifth shows in the response rate.

Called by events.demo.ensure_demo_events; safe to run again (a delegate who has given feedback is
left alone). Answers go through ``feedback_submit``, dated the day after the event, when the
feedback form was open.
"""

from datetime import timedelta

from ..models import Registration
from .services import feedback_submit, has_attended, sessions_attended

# (overall, will it change practice, usefulness of each session in programme order, comment)
DEMO_ANSWERS = [
    (
        5,
        4,
        [5, 4, 5],
        "The joint home visits session was the most useful training I have had this year.",
    ),
    (4, 4, [4, 3, 5], "More time for questions after the plenaries, please."),
    (3, 2, [3, 2, 3], "Good content, but the room was too small for the afternoon workshop."),
    (5, 5, [5, 5, 4], "We are changing how we plan joint visits as a result."),
]


def ensure_demo_feedback(event):
    registrations = (
        Registration.objects.filter(event=event, feedback__isnull=True)
        .select_related("event")
        .prefetch_related("sessions")
        .order_by("pk")
    )
    answered_already = Registration.objects.filter(event=event, feedback__isnull=False).count()
    answers = DEMO_ANSWERS[answered_already:]
    for registration, (overall, practice, usefulness, comment) in zip(
        [r for r in registrations if has_attended(r)], answers, strict=False
    ):
        sessions = sessions_attended(registration)
        feedback_submit(
            registration=registration,
            overall_rating=overall,
            practice_change=practice,
            comments=comment,
            session_ratings={
                session.pk: score for session, score in zip(sessions, usefulness, strict=False)
            },
            now=event.end + timedelta(days=1),
        )
