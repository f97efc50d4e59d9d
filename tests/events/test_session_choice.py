"""Issue 12: choosing sessions is one question per slot of parallel sessions (radios, with
"None"); a plenary (alone in its slot, with no limit of its own) is part of everyone's day,
shown as included and asked nothing. Errors go on the slot they are about, and a session's
places are never oversold, also when many people choose it at once.
"""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from events.forms import NO_SESSION, SessionChoiceForm
from events.models import EventSession, Registration
from events.programme import delegate_day, programme_slots
from events.services import registration_change_sessions, registration_create
from tests.factories import PractitionerFactory

from .factories import EventPageFactory, EventSessionFactory

Status = Registration.Status


def conference():
    """The demo conference's shape: a welcome, two morning plenaries, two parallel afternoon
    workshops of one place each, and a closing plenary."""
    event = EventPageFactory(capacity=50)
    at = event.start

    def session(title, start, minutes, **fields):
        return EventSessionFactory(
            event=event,
            title=title,
            start=at + timedelta(minutes=start),
            end=at + timedelta(minutes=start + minutes),
            **fields,
        )

    return event, {
        "welcome": session("Welcome", 0, 30),
        "evaluation": session("What the evaluation found", 30, 60),
        "workshop_a": session("Workshop A", 240, 90, room="Room 1", capacity=1),
        "workshop_b": session("Workshop B", 240, 90, room="Room 2", capacity=1),
        "closing": session("Closing plenary", 360, 60),
    }


def register_url(event):
    return f"/my-events/register/{event.pk}/"


def change_url(registration):
    return f"/my-events/{registration.pk}/sessions/"


def slot_offering(form, session):
    return form.slot_by_session[session.pk]


@pytest.mark.django_db
def test_parallel_sessions_are_one_radio_question_and_plenaries_are_not_asked():
    event, _sessions = conference()
    form = SessionChoiceForm(sessions=list(event.sessions.all()))

    assert form.slot_names == ["slot_0"]
    field = form.fields["slot_0"]
    assert field.widget.input_type == "radio"
    assert [label.split(" (")[0] for _value, label in field.choices] == [
        "Workshop A",
        "Workshop B",
        "None",
    ]
    assert field.choices[-1][0] == NO_SESSION
    plenaries = [slot.sessions[0].title for slot in form.programme if slot.is_plenary]
    assert plenaries == ["Welcome", "What the evaluation found", "Closing plenary"]


@pytest.mark.django_db
def test_the_register_page_shows_plenaries_as_included_and_workshops_as_radios(client):
    event, sessions = conference()
    client.force_login(PractitionerFactory())

    page = client.get(register_url(event)).content.decode()

    # One radio per workshop and one for "None"; no checkbox for any session.
    assert page.count('type="radio" value="') == 3
    assert f'value="{sessions["welcome"].pk}"' not in page
    assert "govuk-checkboxes__input" not in page.split("Your needs")[0]
    assert page.count(">Included</strong>") == 3
    # Nothing is chosen for the delegate before they answer.
    assert " checked" not in page.split("Your needs")[0]


@pytest.mark.django_db
def test_registering_with_a_workshop_and_with_none(client):
    event, sessions = conference()
    first, second = PractitionerFactory(), PractitionerFactory()

    client.force_login(first)
    client.post(register_url(event), {"slot_0": sessions["workshop_a"].pk})
    client.force_login(second)
    client.post(register_url(event), {"slot_0": NO_SESSION})

    assert list(Registration.objects.get(user=first).sessions.all()) == [sessions["workshop_a"]]
    registration = Registration.objects.get(user=second)
    assert registration.status == Status.CONFIRMED
    assert list(registration.sessions.all()) == []


@pytest.mark.django_db
def test_switching_from_workshop_b_to_workshop_a_is_one_change_not_an_error(client):
    # The bug: with a checkbox per session, ticking A while B stayed ticked said they "run at
    # the same time", on the 09:30 welcome. A radio answer replaces the other.
    event, sessions = conference()
    person = PractitionerFactory()
    registration = registration_create(event=event, user=person, sessions=[sessions["workshop_b"]])
    client.force_login(person)

    page = client.get(change_url(registration))
    form = page.context["form"]
    assert form["slot_0"].value() == str(sessions["workshop_b"].pk)

    response = client.post(change_url(registration), {"slot_0": sessions["workshop_a"].pk})

    assert response.status_code == 302
    assert list(registration.sessions.all()) == [sessions["workshop_a"]]


@pytest.mark.django_db
def test_the_change_page_starts_at_none_for_a_delegate_without_a_workshop(client):
    event, _sessions = conference()
    person = PractitionerFactory()
    registration = registration_create(event=event, user=person)
    client.force_login(person)

    form = client.get(change_url(registration)).context["form"]

    assert form["slot_0"].value() == NO_SESSION


@pytest.mark.django_db
def test_a_full_workshop_is_refused_on_its_own_slot(client):
    event, sessions = conference()
    # A second set of parallel sessions before the workshops, so that "the first slot" and
    # "the workshops' slot" differ.
    morning = [
        EventSessionFactory(
            event=event,
            title=f"Morning {name}",
            start=event.start + timedelta(minutes=120),
            end=event.start + timedelta(minutes=180),
        )
        for name in ("talk", "clinic")
    ]
    registration_create(event=event, user=PractitionerFactory(), sessions=[sessions["workshop_a"]])
    person = PractitionerFactory()
    client.force_login(person)

    response = client.post(
        register_url(event), {"slot_0": morning[0].pk, "slot_1": sessions["workshop_a"].pk}
    )

    assert response.status_code == 200
    form = response.context["form"]
    workshops = slot_offering(form, sessions["workshop_a"])
    assert workshops == "slot_1"
    assert form.errors == {workshops: ["“Workshop A” is full."]}
    page = response.content.decode()
    # The error summary links to the workshops' first radio.
    assert f'href="#id_{workshops}_0">“Workshop A” is full.</a>' in page
    assert not Registration.objects.filter(user=person).exists()


@pytest.mark.django_db
def test_a_session_from_another_slot_is_not_an_answer():
    event, sessions = conference()
    form = SessionChoiceForm(
        {"slot_0": str(sessions["welcome"].pk)}, sessions=list(event.sessions.all())
    )

    assert not form.is_valid()
    assert "slot_0" in form.errors


@pytest.mark.django_db
def test_overlapping_sessions_share_a_slot_even_when_their_times_differ():
    event = EventPageFactory()
    talk = EventSessionFactory(event=event, title="Talk")  # one hour
    long_workshop = EventSessionFactory(
        event=event, title="Long workshop", end=event.start + timedelta(minutes=90)
    )
    after = EventSessionFactory(
        event=event,
        title="After",
        start=long_workshop.end,
        end=long_workshop.end + timedelta(hours=1),
    )

    slots = programme_slots([after, long_workshop, talk])

    assert [[s.title for s in slot.sessions] for slot in slots] == [
        ["Talk", "Long workshop"],
        ["After"],
    ]
    assert (slots[0].start, slots[0].end) == (talk.start, long_workshop.end)


@pytest.mark.django_db
def test_a_session_alone_in_its_slot_with_limited_places_is_still_a_choice():
    event = EventPageFactory()
    visit = EventSessionFactory(event=event, title="Site visit", capacity=12)

    form = SessionChoiceForm(sessions=[visit])

    assert form.slot_names == ["slot_0"]
    assert [value for value, _label in form.fields["slot_0"].choices] == [
        str(visit.pk),
        NO_SESSION,
    ]


@pytest.mark.django_db
def test_the_ticket_lists_the_plenaries_and_the_chosen_workshop(client):
    event, sessions = conference()
    person = PractitionerFactory()
    registration = registration_create(event=event, user=person, sessions=[sessions["workshop_b"]])
    client.force_login(person)

    response = client.get(f"/my-events/{registration.pk}/ticket/")

    assert [s.title for s in response.context["sessions"]] == [
        "Welcome",
        "What the evaluation found",
        "Workshop B",
        "Closing plenary",
    ]
    assert "Workshop A" not in response.content.decode()


@pytest.mark.django_db
def test_a_delegates_day_keeps_plenaries_once_when_an_old_registration_chose_them():
    # Before issue 12 plenaries were checkboxes, so some registrations list them.
    event, sessions = conference()
    chosen = [sessions["welcome"], sessions["workshop_a"]]

    day = delegate_day(EventSession.objects.filter(event=event), chosen)

    assert [s.title for s in day] == [
        "Welcome",
        "What the evaluation found",
        "Workshop A",
        "Closing plenary",
    ]


@pytest.mark.django_db
def test_saving_sessions_keeps_the_services_checks():
    event, sessions = conference()
    registration_create(event=event, user=PractitionerFactory(), sessions=[sessions["workshop_a"]])
    person = PractitionerFactory()
    registration = registration_create(event=event, user=person, sessions=[sessions["workshop_b"]])

    with pytest.raises(ValidationError) as refusal:
        registration_change_sessions(
            registration=registration, sessions=[sessions["workshop_a"]], actor=person
        )

    (error,) = refusal.value.error_dict["sessions"]
    assert error.code == "session_full"
    assert error.params["session"] == sessions["workshop_a"].pk
    assert list(registration.sessions.all()) == [sessions["workshop_b"]]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_many_people_choosing_one_workshop_at_once_never_oversell_it():
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        # As in test_concurrency.py: SQLite's shared in-memory cache fails instead of waiting.
        pytest.skip("needs PostgreSQL, or SQLite with a test database in a file")
    event = EventPageFactory(capacity=50)
    places = 3
    workshop = EventSessionFactory(event=event, capacity=places)
    EventSessionFactory(event=event)  # the parallel session, so the workshop is a choice
    people = PractitionerFactory.create_batch(12)
    start_together = threading.Barrier(len(people))

    def register(person):
        try:
            start_together.wait(timeout=30)
            return registration_create(event=event, user=person, sessions=[workshop]).pk
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(people)) as pool:
        futures = [pool.submit(register, person) for person in people]
    refused = [f.exception() for f in futures if f.exception() is not None]

    assert workshop.registrations.filter(status__in=Registration.PLACE_STATUSES).count() == places
    assert len(refused) == len(people) - places
    assert all(isinstance(error, ValidationError) for error in refused)
    assert all("is full" in " ".join(error.messages) for error in refused)


# Every place that shows or uses a delegate's sessions uses their day (plenaries included).


@pytest.mark.django_db
def test_my_events_lists_the_delegates_day_with_the_plenaries(client):
    event, sessions = conference()
    person = PractitionerFactory()
    registration_create(event=event, user=person, sessions=[sessions["workshop_a"]])
    client.force_login(person)

    html = client.get("/my-events/").content.decode()

    for title in ("Welcome", "What the evaluation found", "Workshop A", "Closing plenary"):
        assert title in html
    assert "Workshop B" not in html
    assert 'href="/my-events/' in html and "/sessions/" in html


@pytest.mark.django_db
def test_an_event_of_plenaries_alone_offers_no_change_of_sessions(client):
    event = EventPageFactory(capacity=50)
    EventSessionFactory(event=event, title="Opening", start=event.start)
    person = PractitionerFactory()
    registration = registration_create(event=event, user=person)
    client.force_login(person)

    assert registration.can_change_sessions() is False
    html = client.get("/my-events/").content.decode()
    assert "Opening" in html
    assert change_url(registration) not in html
    assert client.get(change_url(registration)).status_code in (302, 403, 404)


@pytest.mark.django_db
def test_a_session_with_limited_places_counts_as_attended_only_when_chosen():
    from events.feedback.services import sessions_attended

    event = EventPageFactory(capacity=50)
    EventSessionFactory(event=event, title="Opening", start=event.start)
    EventSessionFactory(
        event=event, title="Site visit", start=event.start + timedelta(hours=2), capacity=10
    )
    person = PractitionerFactory()

    registration = registration_create(event=event, user=person)

    assert [s.title for s in sessions_attended(registration)] == ["Opening"]


@pytest.mark.django_db
def test_the_reminder_lists_the_delegates_day(django_capture_on_commit_callbacks):
    from django.core import mail

    from events.reminders import send_reminders

    event, sessions = conference()
    registration = registration_create(
        event=event, user=PractitionerFactory(), sessions=[sessions["workshop_b"]]
    )
    Registration.objects.filter(pk=registration.pk).update(
        created_at=event.start - timedelta(days=30)
    )

    with django_capture_on_commit_callbacks(execute=True):
        send_reminders(now=event.start - timedelta(days=6, hours=12))

    [message] = mail.outbox
    for title in ("Welcome", "What the evaluation found", "Workshop B", "Closing plenary"):
        assert title in message.body
    assert "Workshop A" not in message.body
