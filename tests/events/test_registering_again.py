"""One person, one registration per event: registering again after cancelling reuses the row.

The earlier registration's story stays in the row's log; My events and the organiser's
delegate list show the person once, with the current status.
"""

from datetime import timedelta

import icalendar
import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from events.log_actions import entry_text, registration_log
from events.models import Registration
from events.organising.services import registration_decline
from events.services import (
    offer_accept,
    places_taken,
    registration_cancel,
    registration_create,
)
from tests.factories import PractitionerFactory, staff_member

from .factories import EventPageFactory, EventSessionFactory

pytestmark = pytest.mark.django_db

Status = Registration.Status


def _calendar_entry(message):
    [(_filename, content, _mimetype)] = message.attachments
    calendar = icalendar.Calendar.from_ical(content)
    [entry] = calendar.walk("VEVENT")
    return calendar, entry


def test_registering_again_after_cancelling_reuses_the_row_with_the_new_answers():
    event = EventPageFactory()
    morning = EventSessionFactory(event=event, title="Morning workshop")
    afternoon = EventSessionFactory(
        event=event, title="Afternoon workshop", start=event.start + timedelta(hours=3)
    )
    person = PractitionerFactory()
    first = registration_create(
        event=event,
        user=person,
        sessions=[morning],
        dietary_needs="Vegetarian",
        on_delegate_list=True,
    )
    registration_cancel(registration=first, actor=person)
    later = timezone.now() + timedelta(minutes=5)

    again = registration_create(
        event=event,
        user=person,
        sessions=[afternoon],
        access_needs="Hearing loop",
        now=later,
    )

    assert again.pk == first.pk
    assert Registration.objects.filter(event=event, user=person).count() == 1
    again.refresh_from_db()
    assert again.status == Status.CONFIRMED
    assert list(again.sessions.all()) == [afternoon]
    assert again.dietary_needs == ""
    assert again.access_needs == "Hearing loop"
    assert again.on_delegate_list is False
    assert again.created_at == later
    assert places_taken(event) == 1
    assert [(entry_text(e), e.user) for e in registration_log(again)] == [
        ("registered: confirmed", person),
        ("cancelled", person),
        ("registered again: confirmed", person),
    ]


def test_the_calendar_entry_comes_back_with_the_same_uid_and_a_higher_sequence(
    django_capture_on_commit_callbacks,
):
    event = EventPageFactory()
    person = PractitionerFactory()
    with django_capture_on_commit_callbacks(execute=True):
        first = registration_create(event=event, user=person)
    with django_capture_on_commit_callbacks(execute=True):
        registration_cancel(registration=first, actor=person)
    with django_capture_on_commit_callbacks(execute=True):
        registration_create(event=event, user=person)

    confirmed, cancelled, confirmed_again = mail.outbox
    entries = [_calendar_entry(m) for m in (confirmed, cancelled, confirmed_again)]
    # One calendar entry throughout, so calendar programs replace it rather than add another.
    assert {str(entry["uid"]) for _calendar, entry in entries} == {first.calendar_uid}
    sequences = [int(entry["sequence"]) for _calendar, entry in entries]
    assert sequences == sorted(sequences)
    assert len(set(sequences)) == 3
    assert str(entries[1][0]["method"]) == "CANCEL"
    assert str(entries[2][0]["method"]) != "CANCEL"
    assert str(entries[2][1]["status"]) == "CONFIRMED"


def test_registering_again_onto_the_waiting_list_goes_to_the_back_of_it():
    event = EventPageFactory(capacity=1)
    person = PractitionerFactory()
    start = timezone.now()
    registration = registration_create(event=event, user=person, now=start)
    waiting = registration_create(
        event=event, user=PractitionerFactory(), now=start + timedelta(seconds=1)
    )
    registration_cancel(registration=registration, actor=person, now=start + timedelta(seconds=2))
    # The place went to the person waiting; another joins the list before our person is back.
    behind = registration_create(
        event=event, user=PractitionerFactory(), now=start + timedelta(seconds=3)
    )
    offer_accept(
        registration=Registration.objects.get(pk=waiting.pk),
        user=waiting.user,
        now=start + timedelta(seconds=4),
    )

    again = registration_create(event=event, user=person, now=start + timedelta(seconds=5))

    assert again.pk == registration.pk
    assert again.status == Status.WAITING
    queue = Registration.objects.filter(event=event, status=Status.WAITING).order_by(
        "waiting_since", "pk"
    )
    assert [r.pk for r in queue] == [behind.pk, again.pk]


def test_a_declined_registration_is_reused_too():
    event = EventPageFactory(requires_approval=True)
    person = PractitionerFactory()
    registration = registration_create(event=event, user=person)
    registration_decline(registration=registration, actor=staff_member("Event organisers"))

    again = registration_create(event=event, user=person)

    assert again.pk == registration.pk
    assert again.status == Status.PENDING_APPROVAL
    assert [entry_text(e) for e in registration_log(again)] == [
        "registered: pending_approval",
        "declined",
        "registered again: pending_approval",
    ]


def test_registering_again_while_registered_is_still_refused():
    event = EventPageFactory()
    person = PractitionerFactory()
    registration_cancel(registration=registration_create(event=event, user=person), actor=person)
    registration_create(event=event, user=person)

    with pytest.raises(ValidationError, match="already registered"):
        registration_create(event=event, user=person)

    assert Registration.objects.filter(event=event, user=person).count() == 1


def test_a_refused_registration_again_leaves_the_cancelled_row_as_it_was():
    event = EventPageFactory()
    full = EventSessionFactory(event=event, capacity=1)
    person = PractitionerFactory()
    first = registration_create(event=event, user=person, dietary_needs="Vegan")
    registration_cancel(registration=first, actor=person)
    registration_create(event=event, user=PractitionerFactory(), sessions=[full])

    with pytest.raises(ValidationError, match="is full"):
        registration_create(event=event, user=person, sessions=[full])

    first.refresh_from_db()
    assert first.status == Status.CANCELLED
    assert first.dietary_needs == "Vegan"
    assert [entry_text(e) for e in registration_log(first)] == [
        "registered: confirmed",
        "cancelled",
    ]


def test_the_database_refuses_a_second_row_for_the_same_person_and_event():
    event = EventPageFactory()
    person = PractitionerFactory()
    Registration.objects.create(event=event, user=person, status=Status.CANCELLED)

    with pytest.raises(IntegrityError), transaction.atomic():
        Registration.objects.create(event=event, user=person, status=Status.CANCELLED)


def test_my_events_shows_the_conference_once_with_its_current_status(client):
    event = EventPageFactory(title="National MAPPA conference")
    person = PractitionerFactory()
    registration_cancel(registration=registration_create(event=event, user=person), actor=person)
    registration_create(event=event, user=person)
    client.force_login(person)

    body = client.get(reverse("events:my_events")).content.decode()

    registration = Registration.objects.get(event=event, user=person)
    assert body.count('id="registration-') == 1
    assert f'id="registration-{registration.pk}"' in body
    assert ">Cancelled</h2>" not in body
    assert reverse("events:ticket", args=[registration.pk]) in body


def test_the_organisers_delegate_list_shows_the_person_once(client):
    event = EventPageFactory()
    person = PractitionerFactory(email="returning.delegate@kent.police.uk")
    registration_cancel(registration=registration_create(event=event, user=person), actor=person)
    registration_create(event=event, user=person)
    client.force_login(staff_member("Event organisers"))

    body = client.get(reverse("events_organising:delegates", args=[event.pk])).content.decode()

    assert body.count("<br>returning.delegate@kent.police.uk</td>") == 1
    csv_export = client.get(
        reverse("events_organising:delegates", args=[event.pk]), {"export": "csv"}
    )
    assert csv_export.getvalue().decode().count("returning.delegate@kent.police.uk") == 1
