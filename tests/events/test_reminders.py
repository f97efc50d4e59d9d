"""Reminders 7 days and 1 day before an event: once each, to confirmed delegates only."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from events.models import Registration
from events.reminders import send_reminders
from kx_site.audience import Marking
from tests.factories import PractitionerFactory

from .factories import EventPageFactory

Status = Registration.Status

pytestmark = pytest.mark.django_db


def _registration(event, *, status=Status.CONFIRMED, registered_days_before=30, **kwargs):
    return Registration.objects.create(
        event=event,
        user=PractitionerFactory(),
        status=status,
        created_at=event.start - timedelta(days=registered_days_before),
        dietary_needs="Vegetarian",
        **kwargs,
    )


def _event_in(delta, **kwargs):
    start = timezone.now() + delta
    return EventPageFactory(
        start=start,
        registration_opens_at=start - timedelta(days=60),
        registration_closes_at=start - timedelta(hours=1),
        **kwargs,
    )


def test_seven_day_reminder(django_capture_on_commit_callbacks):
    event = _event_in(timedelta(days=6, hours=12))
    registration = _registration(event)

    with django_capture_on_commit_callbacks(execute=True):
        sent = send_reminders()

    assert sent == {"7_days": 1, "1_day": 0}
    registration.refresh_from_db()
    assert registration.reminder_7_days_sent_at is not None
    assert registration.reminder_1_day_sent_at is None
    [message] = mail.outbox
    assert message.to == [registration.user.email]
    assert message.subject.endswith(f"Reminder: {event.title} is in a week")
    assert event.summary in message.body


def test_no_reminder_more_than_seven_days_ahead(django_capture_on_commit_callbacks):
    _registration(_event_in(timedelta(days=7, hours=1)))

    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminders() == {"7_days": 0, "1_day": 0}
    assert mail.outbox == []


def test_one_day_reminder_after_the_seven_day_one(django_capture_on_commit_callbacks):
    event = _event_in(timedelta(hours=20))
    registration = _registration(event, reminder_7_days_sent_at=timezone.now() - timedelta(days=6))

    with django_capture_on_commit_callbacks(execute=True):
        sent = send_reminders()

    assert sent == {"7_days": 0, "1_day": 1}
    registration.refresh_from_db()
    assert registration.reminder_1_day_sent_at is not None
    [message] = mail.outbox
    assert message.subject.endswith(f"Reminder: {event.title} is tomorrow")


def test_a_missed_seven_day_reminder_is_not_sent_late(django_capture_on_commit_callbacks):
    registration = _registration(_event_in(timedelta(hours=20)))

    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminders() == {"7_days": 0, "1_day": 1}

    registration.refresh_from_db()
    assert registration.reminder_7_days_sent_at is None
    assert len(mail.outbox) == 1


def test_registering_two_days_before_gets_only_the_one_day_reminder(
    django_capture_on_commit_callbacks,
):
    event = _event_in(timedelta(days=2))
    registration = _registration(event, registered_days_before=2)

    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminders() == {"7_days": 0, "1_day": 0}
        assert send_reminders(now=event.start - timedelta(hours=12)) == {"7_days": 0, "1_day": 1}

    registration.refresh_from_db()
    assert registration.reminder_7_days_sent_at is None
    assert registration.reminder_1_day_sent_at is not None


def test_running_twice_sends_nothing_the_second_time(django_capture_on_commit_callbacks):
    _registration(_event_in(timedelta(days=5)))
    _registration(_event_in(timedelta(hours=3)))

    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_event_reminders", stdout=StringIO())
    assert len(mail.outbox) == 2

    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminders() == {"7_days": 0, "1_day": 0}
    assert len(mail.outbox) == 2


@pytest.mark.parametrize(
    "status",
    [Status.CANCELLED, Status.WAITING, Status.OFFERED, Status.PENDING_APPROVAL, Status.DECLINED],
)
def test_only_confirmed_delegates_are_reminded(status, django_capture_on_commit_callbacks):
    _registration(_event_in(timedelta(days=5)), status=status)
    _registration(_event_in(timedelta(hours=5)), status=status)

    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminders() == {"7_days": 0, "1_day": 0}
    assert mail.outbox == []


def test_past_and_unpublished_events_get_no_reminder(django_capture_on_commit_callbacks):
    _registration(_event_in(-timedelta(hours=1)))
    _registration(_event_in(timedelta(days=3), live=False))

    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminders() == {"7_days": 0, "1_day": 0}


def test_a_sensitive_event_reminder_gives_the_title_and_link_only(
    django_capture_on_commit_callbacks,
):
    event = _event_in(
        timedelta(days=5),
        marking=Marking.OFFICIAL_SENSITIVE,
        summary="Covert operation Nightjar briefing",
    )
    _registration(event)

    with django_capture_on_commit_callbacks(execute=True):
        send_reminders()

    [message] = mail.outbox
    assert event.title in message.subject
    assert event.title in message.body
    assert event.url in message.body
    assert "Nightjar" not in message.body
    assert event.venue.name not in message.body
    assert "Where:" not in message.body


def test_the_command_reports_what_it_sent(django_capture_on_commit_callbacks):
    _registration(_event_in(timedelta(days=5)))
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_event_reminders", stdout=out)
    assert out.getvalue().strip() == "1 7-day reminder and 0 1-day reminders sent."
