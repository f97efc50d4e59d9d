"""Publishing a change to when or where an event is tells its delegates, once per publish, with
their calendar entry's next version (same UID, higher SEQUENCE, METHOD:REQUEST)."""

from datetime import timedelta

import icalendar
import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from events.calendar import SENSITIVE_LOCATION
from events.change_notices import event_change_notify
from events.log_actions import registration_action, registration_logs
from events.models import EventPage, EventSession, Registration
from events.services import (
    registration_cancel,
    registration_change_sessions,
    registration_create,
)
from kx_site.audience import Marking
from tests.factories import PractitionerFactory, staff_member

from .factories import EventPageFactory, EventSessionFactory, VenueFactory

pytestmark = pytest.mark.django_db

Status = Registration.Status
FORMAT = "%Y-%m-%d %H:%M"


def publish(event, **changes):
    """What the admin's Publish button does: a revision of the edited page, then publishing it."""
    event = EventPage.objects.get(pk=event.pk)
    for field, value in changes.items():
        setattr(event, field, value)
    event.save_revision().publish()
    return event


def calendar_of(message):
    [(filename, content, mimetype)] = message.attachments
    assert (filename, mimetype) == ("event.ics", "text/calendar")
    calendar = icalendar.Calendar.from_ical(content)
    [entry] = calendar.walk("VEVENT")
    return calendar, entry


@pytest.fixture
def delegates():
    """An event with one place: a confirmed delegate, one waiting, and one who cancelled."""
    event = EventPageFactory(title="MAPPA chairs' day", capacity=1)
    confirmed = registration_create(event=event, user=PractitionerFactory())
    waiting = registration_create(event=event, user=PractitionerFactory())
    gone_user = PractitionerFactory()
    registration_cancel(
        registration=registration_create(event=event, user=gone_user), actor=gone_user
    )
    assert (confirmed.status, waiting.status) == (Status.CONFIRMED, Status.WAITING)
    return event, confirmed, waiting


def test_moving_an_event_tells_confirmed_and_waiting_delegates_once(
    delegates, django_capture_on_commit_callbacks
):
    event, confirmed, waiting = delegates
    new_venue = VenueFactory(name="Ryton training centre")
    new_start = event.start + timedelta(days=7)
    mail.outbox.clear()

    # Three fields in one publish: one email each, not one per field.
    with django_capture_on_commit_callbacks(execute=True):
        publish(event, start=new_start, end=new_start + timedelta(hours=6), venue=new_venue)

    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [confirmed.user.email, waiting.user.email]
    )
    for registration in (confirmed, waiting):
        [message] = [m for m in mail.outbox if m.to == [registration.user.email]]
        calendar, entry = calendar_of(message)
        before = registration.calendar_sequence
        registration.refresh_from_db()
        assert str(calendar["method"]) == "REQUEST"
        assert str(entry["uid"]) == registration.calendar_uid
        assert entry["sequence"] == registration.calendar_sequence == before + 1
        assert entry.decoded("dtstart") == new_start.replace(microsecond=0)
        assert str(entry["location"]).startswith("Ryton training centre")
        assert str(entry["attendee"]) == f"mailto:{registration.user.email}"
        assert "Change to MAPPA chairs' day" in message.subject
        assert "Where: now Ryton training centre (was Conference centre" in message.body
        assert "When: now " in message.body
    [waiting_message] = [m for m in mail.outbox if m.to == [waiting.user.email]]
    assert "still on the waiting list" in waiting_message.body
    assert registration_logs().filter(action=registration_action("told_of_change")).count() == 2


def test_each_publish_goes_higher_than_any_sequence_sent_before(
    delegates, django_capture_on_commit_callbacks
):
    event, confirmed, _waiting = delegates
    session = EventSessionFactory(event=event)
    # The delegate's own changes raise SEQUENCE too: the notice must go above them.
    registration_change_sessions(registration=confirmed, sessions=[session], actor=None)
    registration_change_sessions(registration=confirmed, sessions=[], actor=None)
    confirmed.refresh_from_db()
    sequences = [confirmed.calendar_sequence]
    uid = confirmed.calendar_uid

    for days in (1, 2):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            publish(
                event,
                start=event.start + timedelta(days=days),
                end=event.end + timedelta(days=days),
            )
        [message] = [m for m in mail.outbox if m.to == [confirmed.user.email]]
        _calendar, entry = calendar_of(message)
        sequences.append(entry["sequence"])
        assert str(entry["uid"]) == uid

    assert sequences == sorted(set(sequences)), "every notice must supersede the one before"
    confirmed.refresh_from_db()
    assert confirmed.calendar_uid == uid
    assert confirmed.calendar_sequence == sequences[-1]


def test_publishing_without_a_schedule_change_tells_no_one(
    delegates, django_capture_on_commit_callbacks
):
    event, confirmed, _waiting = delegates
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        publish(event, title="MAPPA chairs' day (renamed)", summary="New words.", capacity=40)

    assert mail.outbox == []
    confirmed.refresh_from_db()
    assert confirmed.calendar_sequence == 0


def test_a_draft_tells_no_one_until_it_is_published(delegates, django_capture_on_commit_callbacks):
    event, _confirmed, _waiting = delegates
    draft = EventPage.objects.get(pk=event.pk)
    draft.start += timedelta(hours=2)
    draft.end += timedelta(hours=2)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        revision = draft.save_revision()
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        revision.publish()
    assert len(mail.outbox) == 2


def test_a_session_moving_room_or_time_is_a_change(delegates, django_capture_on_commit_callbacks):
    event, _confirmed, _waiting = delegates
    EventSessionFactory(event=event, title="Risk panel", room="Room 1")
    EventSessionFactory(event=event, title="Closing", room="Hall")
    EventSessionFactory(event=event, title="Dropped talk", room="Hall")

    def publish_programme(change):
        live = EventPage.objects.get(pk=event.pk)
        sessions = {session.title: session for session in live.sessions.all()}
        change(sessions)
        # Assigned back, as the page form does with its inline panel.
        live.sessions = list(sessions.values())
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            live.save_revision().publish()
        return mail.outbox

    def add_session(sessions):
        sessions["Extra"] = EventSession(
            title="Extra", start=event.start, end=event.start + timedelta(hours=1)
        )

    assert publish_programme(add_session) == [], "a new session moves no one's day"

    def move_sessions(sessions):
        sessions["Risk panel"].room = "Room 2"
        sessions["Closing"].start += timedelta(hours=1)
        sessions["Closing"].end += timedelta(hours=1)
        del sessions["Dropped talk"]

    outbox = publish_programme(move_sessions)

    assert len(outbox) == 2
    body = outbox[0].body
    assert "“Risk panel”: now in Room 2 (was Room 1)" in body
    assert "“Closing”: now " in body
    assert "“Dropped talk” is no longer in the programme" in body


def test_a_sensitive_events_notice_keeps_its_details_on_kx(django_capture_on_commit_callbacks):
    secret_venue = VenueFactory(name="Nightjar house", address="1 Hidden Lane")
    event = EventPageFactory(marking=Marking.OFFICIAL_SENSITIVE, venue=secret_venue)
    EventSessionFactory(event=event, title="Operation Nightjar debrief", room="Briefing room 4")
    registration = registration_create(event=event, user=PractitionerFactory())
    other_venue = VenueFactory(name="Ryton training centre")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        publish(event, venue=other_venue, start=event.start + timedelta(hours=1))

    [message] = mail.outbox
    _calendar, entry = calendar_of(message)
    everything = message.subject + message.body + message.attachments[0][1]
    for secret in ("Nightjar", "Hidden Lane", "Ryton", "Briefing room", event.summary):
        assert secret not in everything
    assert str(entry["location"]) == SENSITIVE_LOCATION
    assert str(entry["uid"]) == registration.calendar_uid


def test_a_finished_events_corrections_tell_no_one(django_capture_on_commit_callbacks):
    start = timezone.now() - timedelta(days=2)
    event = EventPageFactory(
        start=start, registration_opens_at=start - timedelta(days=9), capacity=5
    )
    Registration.objects.create(event=event, user=PractitionerFactory(), status=Status.CONFIRMED)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        publish(event, end=event.end + timedelta(minutes=30))

    assert mail.outbox == []


@pytest.mark.usefixtures("production_caches")
def test_telling_delegates_takes_the_same_queries_for_ten_times_as_many():
    def queries(count):
        event = EventPageFactory(capacity=count)
        for _ in range(count):
            registration_create(event=event, user=PractitionerFactory())
        event = EventPage.objects.select_related("venue").get(pk=event.pk)
        with CaptureQueriesContext(connection) as context:
            told = event_change_notify(event=event, changes=["When: now later"])
        assert told == count
        return len(context.captured_queries)

    queries(2)  # the first notice reads the site's root paths and content types into the caches
    assert queries(30) == queries(3)


# --- Through the admin --------------------------------------------------------------------------


def test_an_editor_publishing_a_new_time_in_the_admin_tells_the_delegates(
    client, django_capture_on_commit_callbacks
):
    event = EventPageFactory(title="Regional MAPPA workshop", slug="regional-mappa-workshop")
    session = EventSessionFactory(event=event, title="Case studies", room="Room 1")
    registration = registration_create(event=event, user=PractitionerFactory())
    client.force_login(staff_member("Senior editors"))
    start = timezone.localtime(event.start) + timedelta(days=1)
    form = nested_form_data(
        {
            "title": event.title,
            "slug": event.slug,
            "summary": event.summary,
            "kind": event.kind,
            "start": start.strftime(FORMAT),
            "end": (start + timedelta(hours=3)).strftime(FORMAT),
            "region": event.region,
            "venue": event.venue_id,
            "joining_link": "",
            "capacity": event.capacity,
            "registration_opens_at": timezone.localtime(event.registration_opens_at).strftime(
                FORMAT
            ),
            "registration_closes_at": timezone.localtime(event.registration_closes_at).strftime(
                FORMAT
            ),
            "offer_hold_hours": 48,
            "body": streamfield([]),
            "sessions": inline_formset(
                [
                    {
                        "id": session.pk,
                        "title": "Case studies",
                        "start": start.strftime(FORMAT),
                        "end": (start + timedelta(hours=1)).strftime(FORMAT),
                        "room": "Room 2",
                        "track": "",
                        "capacity": "",
                        "description": "",
                        "materials": inline_formset([]),
                    }
                ],
                initial=1,
            ),
            "quotas": inline_formset([]),
            "audience": "practitioners",
            "marking": "official",
            "action-publish": "action-publish",
        }
    )
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/pages/{event.pk}/edit/", form)

    assert response.status_code == 302, response.content.decode()[:3000]
    event.refresh_from_db()
    assert timezone.localtime(event.start).strftime(FORMAT) == start.strftime(FORMAT), (
        event.live,
        event.has_unpublished_changes,
    )
    [message] = mail.outbox
    assert message.to == [registration.user.email]
    _calendar, entry = calendar_of(message)
    assert str(entry["uid"]) == registration.calendar_uid
    assert entry["sequence"] == 1
    assert "When: now " in message.body
    assert "“Case studies”: now " in message.body and "now in Room 2 (was Room 1)" in message.body
    assert str(message.body).count("Regional MAPPA workshop") >= 1
