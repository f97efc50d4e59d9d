"""Freed places go to the waiting list in order, held for a while, and never twice."""

from collections import Counter
from datetime import timedelta

import icalendar
import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from events.log_actions import entry_text, registration_action, registration_log, registration_logs
from events.models import Registration
from events.services import (
    offer_accept,
    offers_expire,
    places_taken,
    registration_cancel,
    registration_create,
)
from tests.factories import PractitionerFactory

from .factories import EventPageFactory, EventSessionFactory

pytestmark = pytest.mark.django_db

Status = Registration.Status


def register_all(event, count, start):
    """``count`` practitioners register one second apart from ``start``."""
    return [
        registration_create(
            event=event, user=PractitionerFactory(), now=start + timedelta(seconds=i)
        )
        for i in range(count)
    ]


def statuses(registrations):
    return [Registration.objects.get(pk=r.pk).status for r in registrations]


def assert_never_oversold(event):
    holding = Registration.objects.filter(event=event, status__in=Registration.PLACE_STATUSES)
    assert holding.count() <= event.capacity
    offers = Counter(
        int(registration_id)
        for registration_id in registration_logs()
        .filter(
            action=registration_action("offered"),
            object_id__in=[str(pk) for pk in event.registrations.values_list("pk", flat=True)],
        )
        .values_list("object_id", flat=True)
    )
    assert all(times == 1 for times in offers.values()), "a place was offered twice"


@pytest.fixture
def full_event():
    """Two places, both taken, and three people waiting (in the order they registered)."""
    event = EventPageFactory(capacity=2, offer_hold_hours=24)
    start = timezone.now() - timedelta(hours=1)
    registrations = register_all(event, 5, start)
    return event, registrations[:2], registrations[2:]


def test_a_cancelled_place_is_offered_to_the_first_person_waiting(
    full_event, sent_templates, django_capture_on_commit_callbacks
):
    event, (confirmed, _), waiting = full_event
    now = timezone.now()
    sent_templates.clear()

    with django_capture_on_commit_callbacks(execute=True):
        registration_cancel(registration=confirmed, actor=confirmed.user, now=now)

    first = Registration.objects.get(pk=waiting[0].pk)
    assert first.status == Status.OFFERED
    assert first.offer_expires_at == now + timedelta(hours=24)
    assert statuses(waiting[1:]) == [Status.WAITING, Status.WAITING]
    assert statuses([confirmed]) == [Status.CANCELLED]
    assert sent_templates == [
        ("events/cancelled", confirmed.user.email),
        ("events/offer", first.user.email),
    ]
    assert [m.to for m in mail.outbox] == [[confirmed.user.email], [first.user.email]]
    assert [entry_text(e) for e in registration_log(first)] == [
        "registered: waiting",
        "offered a place",
    ]
    assert_never_oversold(event)


def test_the_default_hold_is_48_hours():
    event = EventPageFactory(capacity=1)
    confirmed, waiting = register_all(event, 2, timezone.now())
    now = timezone.now()

    registration_cancel(registration=confirmed, actor=confirmed.user, now=now)

    assert Registration.objects.get(pk=waiting.pk).offer_expires_at == now + timedelta(hours=48)


def test_cancelling_a_confirmed_place_sends_a_calendar_cancellation(
    full_event, django_capture_on_commit_callbacks
):
    _event, (confirmed, _), _waiting = full_event

    with django_capture_on_commit_callbacks(execute=True):
        registration_cancel(registration=confirmed, actor=confirmed.user)

    cancellation = next(m for m in mail.outbox if m.to == [confirmed.user.email])
    [(_filename, content, mimetype)] = cancellation.attachments
    assert mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(content)
    assert str(calendar["method"]) == "CANCEL"
    [entry] = calendar.walk("VEVENT")
    assert str(entry["status"]) == "CANCELLED"
    assert str(entry["uid"]) == confirmed.calendar_uid
    assert entry["sequence"] == 1


def test_two_cancellations_offer_two_places_to_two_different_people(full_event):
    event, confirmed, waiting = full_event

    for registration in confirmed:
        registration_cancel(registration=registration, actor=registration.user)

    assert statuses(waiting) == [Status.OFFERED, Status.OFFERED, Status.WAITING]
    assert_never_oversold(event)


def test_cancelling_a_waiting_registration_offers_nothing(full_event, sent_templates):
    event, _confirmed, waiting = full_event
    sent_templates.clear()

    registration_cancel(registration=waiting[0], actor=waiting[0].user)

    assert statuses(waiting) == [Status.CANCELLED, Status.WAITING, Status.WAITING]
    assert sent_templates == [("events/cancelled", waiting[0].user.email)]
    assert places_taken(event) == 2


def test_cancelling_twice_is_refused(full_event):
    _event, (confirmed, _), waiting = full_event
    registration_cancel(registration=confirmed, actor=confirmed.user)

    with pytest.raises(ValidationError, match="already cancelled"):
        registration_cancel(registration=confirmed, actor=confirmed.user)

    assert statuses(waiting) == [Status.OFFERED, Status.WAITING, Status.WAITING]


def test_declining_an_offer_moves_it_on(full_event):
    event, (confirmed, _), waiting = full_event
    registration_cancel(registration=confirmed, actor=confirmed.user)

    registration_cancel(registration=waiting[0], actor=waiting[0].user)

    assert statuses(waiting) == [Status.CANCELLED, Status.OFFERED, Status.WAITING]
    assert_never_oversold(event)


def test_accepting_an_offer_confirms_the_place(
    full_event, sent_templates, django_capture_on_commit_callbacks
):
    event, (confirmed, _), waiting = full_event
    registration_cancel(registration=confirmed, actor=confirmed.user)
    offered = Registration.objects.get(pk=waiting[0].pk)
    sent_templates.clear()

    with django_capture_on_commit_callbacks(execute=True):
        accepted = offer_accept(registration=offered, user=offered.user)

    accepted.refresh_from_db()
    assert accepted.status == Status.CONFIRMED
    assert accepted.offer_expires_at is None
    assert entry_text(registration_log(accepted).last()) == "accepted the offer"
    assert registration_log(accepted).last().user == offered.user
    assert sent_templates == [("events/confirmed", offered.user.email)]
    [message] = mail.outbox
    assert [a[2] for a in message.attachments] == ["text/calendar"]
    assert places_taken(event) == 2
    assert_never_oversold(event)


def test_only_the_person_offered_may_accept(full_event):
    _event, (confirmed, _), waiting = full_event
    registration_cancel(registration=confirmed, actor=confirmed.user)

    with pytest.raises(PermissionDenied):
        offer_accept(registration=waiting[0], user=waiting[1].user)

    assert statuses(waiting[:1]) == [Status.OFFERED]


def test_a_waiting_registration_cannot_accept_an_offer_it_was_not_made(full_event):
    _event, _confirmed, waiting = full_event

    with pytest.raises(ValidationError, match="no longer open"):
        offer_accept(registration=waiting[0], user=waiting[0].user)

    assert statuses(waiting) == [Status.WAITING] * 3


def test_accepting_after_the_hold_has_passed_is_refused_and_the_offer_moves_on(
    full_event, sent_templates, django_capture_on_commit_callbacks
):
    event, (confirmed, _), waiting = full_event
    registration_cancel(registration=confirmed, actor=confirmed.user)
    late = timezone.now() + timedelta(hours=25)
    sent_templates.clear()

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(ValidationError, match="expired"),
    ):
        offer_accept(registration=waiting[0], user=waiting[0].user, now=late)

    assert statuses(waiting) == [Status.CANCELLED, Status.OFFERED, Status.WAITING]
    assert Registration.objects.get(pk=waiting[1].pk).offer_expires_at == late + timedelta(
        hours=24
    )
    assert sent_templates == [
        ("events/offer_expired", waiting[0].user.email),
        ("events/offer", waiting[1].user.email),
    ]
    assert [m.to for m in mail.outbox] == [[waiting[0].user.email], [waiting[1].user.email]]
    assert_never_oversold(event)


def test_offers_expire_moves_every_overdue_offer_on_and_is_idempotent(full_event, sent_templates):
    event, confirmed, waiting = full_event
    more_waiting = register_all(event, 2, timezone.now())
    waiting = [*waiting, *more_waiting]
    for registration in confirmed:
        registration_cancel(registration=registration, actor=registration.user)
    assert statuses(waiting) == [Status.OFFERED] * 2 + [Status.WAITING] * 3
    later = timezone.now() + timedelta(hours=25)
    sent_templates.clear()

    assert offers_expire(now=later) == 2

    assert statuses(waiting) == [Status.CANCELLED] * 2 + [Status.OFFERED] * 2 + [Status.WAITING]
    assert {r.offer_expires_at for r in Registration.objects.filter(status=Status.OFFERED)} == {
        later + timedelta(hours=24)
    }
    assert sorted(template for template, _to in sent_templates) == [
        "events/offer",
        "events/offer",
        "events/offer_expired",
        "events/offer_expired",
    ]
    assert_never_oversold(event)
    before = list(Registration.objects.order_by("pk").values())
    log_count = registration_logs().count()
    sent_templates.clear()

    assert offers_expire(now=later) == 0

    assert list(Registration.objects.order_by("pk").values()) == before
    assert registration_logs().count() == log_count
    assert sent_templates == []


def test_offers_expire_leaves_offers_still_within_their_hold(full_event):
    _event, (confirmed, _), waiting = full_event
    registration_cancel(registration=confirmed, actor=confirmed.user)

    assert offers_expire(now=timezone.now() + timedelta(hours=23)) == 0

    assert statuses(waiting) == [Status.OFFERED, Status.WAITING, Status.WAITING]


def test_an_expired_offer_with_nobody_waiting_frees_the_place():
    event = EventPageFactory(capacity=1, offer_hold_hours=1)
    confirmed, waiting = register_all(event, 2, timezone.now())
    registration_cancel(registration=confirmed, actor=confirmed.user)

    assert offers_expire(now=timezone.now() + timedelta(hours=2)) == 1

    assert statuses([waiting]) == [Status.CANCELLED]
    assert places_taken(event) == 0
    newcomer = registration_create(event=event, user=PractitionerFactory())
    assert newcomer.status == Status.CONFIRMED


def test_a_session_that_filled_up_while_waiting_is_dropped_on_accepting():
    event = EventPageFactory(capacity=2)
    breakout = EventSessionFactory(event=event, title="Breakout A", capacity=1)
    registration_create(event=event, user=PractitionerFactory(), sessions=[breakout])
    leaving = registration_create(event=event, user=PractitionerFactory())
    waiting = registration_create(event=event, user=PractitionerFactory(), sessions=[breakout])
    registration_cancel(registration=leaving, actor=leaving.user)

    accepted = offer_accept(registration=waiting, user=waiting.user)

    assert accepted.status == Status.CONFIRMED
    assert list(accepted.sessions.all()) == []
    assert (
        registration_log(accepted)
        .filter(action=registration_action("session_full_removed"), data__session="Breakout A")
        .exists()
    )


def test_no_place_is_ever_offered_twice_through_a_run_of_changes():
    event = EventPageFactory(capacity=3, offer_hold_hours=1)
    now = timezone.now()
    registrations = register_all(event, 8, now)
    assert_never_oversold(event)
    steps = [
        lambda t: registration_cancel(registration=registrations[0], actor=None, now=t),
        lambda t: registration_cancel(registration=registrations[1], actor=None, now=t),
        lambda t: registration_cancel(registration=registrations[5], actor=None, now=t),
        lambda t: offer_accept(registration=registrations[3], user=registrations[3].user, now=t),
        lambda t: offers_expire(now=t + timedelta(hours=2)),
        lambda t: offers_expire(now=t + timedelta(hours=2)),
        lambda t: registration_cancel(registration=registrations[2], actor=None, now=t),
        lambda t: offers_expire(now=t + timedelta(hours=5)),
    ]
    for minute, step in enumerate(steps, start=1):
        step(now + timedelta(minutes=minute))
        assert_never_oversold(event)
    offered_to = list(
        registration_logs()
        .filter(action=registration_action("offered"))
        .values_list("object_id", flat=True)
    )
    assert len(offered_to) == len(set(offered_to))
