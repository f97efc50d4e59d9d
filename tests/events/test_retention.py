"""Retention: dietary and access needs, and feedback comments, are erased a set time after the
event; counts, attendance and feedback scores stay."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from events.feedback.report import feedback_report
from events.maintenance import erase_expired_feedback_comments, erase_expired_personal_data
from events.models import FeedbackResponse, Registration, SessionFeedback
from tests.factories import PractitionerFactory

from .factories import EventPageFactory, EventSessionFactory

Status = Registration.Status

pytestmark = pytest.mark.django_db


def _event_ended(days_ago):
    end = timezone.now() - timedelta(days=days_ago)
    start = end - timedelta(hours=7)
    return EventPageFactory(
        start=start,
        end=end,
        registration_opens_at=start - timedelta(days=60),
        registration_closes_at=start - timedelta(days=1),
    )


def _register(event, status=Status.CONFIRMED, dietary="Vegan", access="Step-free access"):
    return Registration.objects.create(
        event=event,
        user=PractitionerFactory(),
        status=status,
        dietary_needs=dietary,
        access_needs=access,
    )


def _needs(event):
    return list(
        Registration.objects.filter(event=event)
        .order_by("pk")
        .values_list("dietary_needs", "access_needs")
    )


def test_needs_are_erased_after_the_retention_period_and_registrations_kept(settings):
    settings.KX_EVENT_RETENTION_DAYS = 90
    old = _event_ended(days_ago=91)
    _register(old)
    _register(old, status=Status.CANCELLED, access="")
    _register(old, dietary="", access="")
    attended = _register(old)
    attended.checked_in_at = old.start
    attended.save()

    out = StringIO()
    call_command("erase_event_personal_data", stdout=out)

    assert _needs(old) == [("", "")] * 4
    assert Registration.objects.filter(event=old).count() == 4
    assert Registration.objects.filter(event=old, status=Status.CONFIRMED).count() == 3
    assert Registration.objects.filter(event=old, checked_in_at__isnull=False).count() == 1
    assert f"{old.title} (event {old.pk}" in out.getvalue()
    assert "3 registrations erased." in out.getvalue()


def test_needs_are_kept_within_the_retention_period(settings):
    settings.KX_EVENT_RETENTION_DAYS = 90
    recent = _event_ended(days_ago=89)
    _register(recent)
    upcoming = EventPageFactory()
    _register(upcoming)

    assert erase_expired_personal_data() == []

    assert _needs(recent) == [("Vegan", "Step-free access")]
    assert _needs(upcoming) == [("Vegan", "Step-free access")]


def test_the_retention_period_is_a_setting(settings):
    settings.KX_EVENT_RETENTION_DAYS = 10
    event = _event_ended(days_ago=11)
    _register(event)

    assert [(e.pk, n) for e, n in erase_expired_personal_data()] == [(event.pk, 1)]
    assert _needs(event) == [("", "")]


def test_the_default_period_is_90_days(settings):
    # The default is read in the settings module only (an app module once had its own copy).
    from kx_site.settings import base

    assert base.KX_EVENT_RETENTION_DAYS == 90
    settings.KX_EVENT_RETENTION_DAYS = base.KX_EVENT_RETENTION_DAYS
    kept, erased = _event_ended(days_ago=80), _event_ended(days_ago=100)
    _register(kept)
    _register(erased)

    erase_expired_personal_data()

    assert _needs(kept) == [("Vegan", "Step-free access")]
    assert _needs(erased) == [("", "")]


def test_running_again_erases_nothing_more(settings):
    settings.KX_EVENT_RETENTION_DAYS = 90
    event = _event_ended(days_ago=200)
    _register(event)
    _register(event)

    assert [n for _, n in erase_expired_personal_data()] == [2]
    out = StringIO()
    call_command("erase_event_personal_data", stdout=out)

    assert out.getvalue().strip().splitlines() == [
        "0 registrations erased in 0 events (retention 90 days).",
        "0 feedback comments erased in 0 events.",
    ]
    assert Registration.objects.filter(event=event).count() == 2


def _feedback(event, comments, overall=4, session=None):
    registration = _register(event)
    registration.checked_in_at = event.start
    registration.save()
    response = FeedbackResponse.objects.create(
        registration=registration,
        event=event,
        overall_rating=overall,
        practice_change=3,
        comments=comments,
    )
    if session is not None:
        SessionFeedback.objects.create(response=response, session=session, usefulness=5)
    return response


def test_feedback_comments_are_erased_after_the_period_and_scores_kept(settings):
    settings.KX_EVENT_RETENTION_DAYS = 90
    old = _event_ended(days_ago=91)
    session = EventSessionFactory(event=old)
    _feedback(old, "The trainer from Kent was excellent", overall=5, session=session)
    _feedback(old, "", overall=3)
    recent = _event_ended(days_ago=30)
    kept = _feedback(recent, "Too long a day")

    out = StringIO()
    call_command("erase_event_personal_data", stdout=out)

    assert list(
        FeedbackResponse.objects.filter(event=old)
        .order_by("pk")
        .values_list("comments", "overall_rating", "practice_change")
    ) == [("", 5, 3), ("", 3, 3)]
    assert (
        FeedbackResponse.objects.filter(event=old, comments_erased_at__isnull=False).count() == 1
    )
    assert SessionFeedback.objects.filter(response__event=old).count() == 1
    kept.refresh_from_db()
    assert kept.comments == "Too long a day"
    assert kept.comments_erased_at is None
    assert f"{old.title} (event {old.pk}, ended " in out.getvalue()
    assert "1 feedback comment erased." in out.getvalue()
    assert "1 feedback comment erased in 1 event." in out.getvalue()

    # The report keeps its numbers, says the comments were erased and shows none.
    report = feedback_report(old)
    assert report["responses"] == 2
    assert report["overall_mean"] == 4
    assert report["comments"] == []
    assert report["comments_erased"] is True
    assert report["sessions"][0].mean_usefulness == 5


def test_erasing_feedback_comments_again_erases_nothing_more(settings):
    settings.KX_EVENT_RETENTION_DAYS = 90
    event = _event_ended(days_ago=120)
    _feedback(event, "Useful day")

    assert [(e.pk, n) for e, n in erase_expired_feedback_comments()] == [(event.pk, 1)]
    assert erase_expired_feedback_comments() == []
    assert FeedbackResponse.objects.filter(event=event).count() == 1
