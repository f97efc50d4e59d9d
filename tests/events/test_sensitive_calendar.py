"""OFFICIAL-SENSITIVE events outside KX: calendar files and emails give the title, the time (in
the calendar file only) and a link, and never the venue, the summary or the programme."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format

from events.calendar import SENSITIVE_LOCATION
from events.feedback.invitations import send_feedback_invitations
from events.models import Registration, Speaker
from events.organising.services import (
    event_message_send,
    registration_approve,
    registration_decline,
)
from events.reminders import send_reminders
from events.services import (
    offer_accept,
    offers_expire,
    registration_cancel,
    registration_change_sessions,
    registration_create,
)
from kx_site.audience import Marking
from tests.factories import PractitionerFactory

from .factories import EventPageFactory, EventSessionFactory, VenueFactory

pytestmark = pytest.mark.django_db

Status = Registration.Status
LONDON = ZoneInfo("Europe/London")

VENUE_NAME = "Ryton training centre"
ADDRESS = "Ryton-on-Dunsmore\nCoventry CV8 3EN"
ACCESS_INFORMATION = "Use the rear gate after 08:00"
SUMMARY = "Covert tactics for online offending"
SESSION_TITLE = "Operation Nightjar debrief"
SESSION_ROOM = "Briefing room 4"
SESSION_DESCRIPTION = "Case studies from the undercover unit"
SPEAKER_NAME = "DCI Alex Harper"
JOINING_LINK = "https://meet.example/nightjar-secret"
MESSAGE_BODY = "Bring your warrant card to the rear gate"

# What no calendar file or email of a sensitive event may carry, in any form.
NEVER_OUTSIDE_KX = [
    VENUE_NAME,
    *ADDRESS.splitlines(),
    ACCESS_INFORMATION,
    SUMMARY,
    SESSION_TITLE,
    SESSION_ROOM,
    SESSION_DESCRIPTION,
    SPEAKER_NAME,
    JOINING_LINK,
    MESSAGE_BODY,
]
# The properties an entry may have; anything else (ORGANIZER, ATTENDEE, ...) is a leak.
ALLOWED_PROPERTIES = {
    "UID",
    "SEQUENCE",
    "DTSTAMP",
    "DTSTART",
    "DTEND",
    "SUMMARY",
    "URL",
    "LOCATION",
    "DESCRIPTION",
    "CLASS",
    "STATUS",
}


def sensitive_event(*, online=False, **fields):
    """An OFFICIAL-SENSITIVE event with a venue (or a joining link), a summary and a session."""
    if online:
        fields.update(venue=None, is_online=True, joining_link=JOINING_LINK)
    else:
        fields["venue"] = VenueFactory(
            name=VENUE_NAME, address=ADDRESS, access_information=ACCESS_INFORMATION
        )
    event = EventPageFactory(marking=Marking.OFFICIAL_SENSITIVE, summary=SUMMARY, **fields)
    session = EventSessionFactory(
        event=event, title=SESSION_TITLE, room=SESSION_ROOM, description=SESSION_DESCRIPTION
    )
    session.speakers.add(Speaker.objects.create(name=SPEAKER_NAME))
    return event


def event_url(event):
    return "http://testserver" + event.url


def readable(ics_bytes):
    """The calendar file's text as a reader sees it: lines unfolded and escapes undone, so that
    a folded or escaped venue name cannot slip past a substring check."""
    text = ics_bytes.decode()
    text = text.replace("\r\n ", "").replace("\r\n\t", "")
    for escaped, plain in (("\\n", "\n"), ("\\N", "\n"), ("\\,", ","), ("\\;", ";")):
        text = text.replace(escaped, plain)
    return text.replace("\\\\", "\\")


def assert_sensitive_calendar(ics_bytes, event, *, cancelled=False):
    assert isinstance(ics_bytes, bytes)
    text = readable(ics_bytes)
    for secret in NEVER_OUTSIDE_KX:
        assert secret not in text, f"{secret!r} is in the calendar file"

    calendar = icalendar.Calendar.from_ical(ics_bytes)
    assert str(calendar["method"]) == ("CANCEL" if cancelled else "PUBLISH")
    assert [c.name for c in calendar.subcomponents] == ["VEVENT"]
    [entry] = calendar.walk("VEVENT")
    assert set(entry.keys()) <= ALLOWED_PROPERTIES
    assert str(entry["summary"]) == event.title
    # Calendar times are to the second.
    assert entry.decoded("dtstart") == event.start.replace(microsecond=0)
    assert entry.decoded("dtend") == event.end.replace(microsecond=0)
    assert str(entry["url"]) == event_url(event)
    assert str(entry["description"]) == event_url(event)
    assert str(entry["location"]) == SENSITIVE_LOCATION
    assert str(entry["class"]) == "CONFIDENTIAL"
    assert str(entry["status"]) == ("CANCELLED" if cancelled else "CONFIRMED")


def calendar_attachments(message):
    """The calendar files of a sent email, as the bytes that go over the wire (decoded from the
    MIME transfer encoding)."""
    return [
        part.get_payload(decode=True)
        for part in message.message().walk()
        if part.get_content_type() == "text/calendar"
    ]


def email_texts(message):
    """The subject, the plain-text body and every alternative (such as HTML) of a sent email."""
    texts = [message.subject, message.body]
    texts += [content for content, _mimetype in getattr(message, "alternatives", [])]
    return texts


def assert_sensitive_email(message, event, *, link=None):
    """Title and link only: no venue, summary or programme, and not the event's date or time
    (the time of a sensitive event leaves KX only in its calendar file)."""
    start = timezone.localtime(event.start, LONDON)
    # The day, and the start as the emails of other events give it ("09:30 to 16:30").
    date_and_time = [date_format(start, "j F Y"), date_format(start, "H:i") + " to"]
    for text in email_texts(message):
        for secret in NEVER_OUTSIDE_KX + date_and_time:
            assert secret not in text, f"{secret!r} is in the email {message.subject!r}"
    assert event.title in message.subject
    assert event.title in message.body
    assert "http://testserver" + (link or event.url) in message.body


def sent(*subject_starts):
    """The emails sent, checking there is one for each expected subject, in order."""
    subjects = [message.subject for message in mail.outbox]
    assert len(subjects) == len(subject_starts), subjects
    for subject, start in zip(subjects, subject_starts, strict=True):
        assert start in subject
    return list(mail.outbox)


@pytest.fixture(params=[False, True], ids=["at a venue", "online"])
def event(request):
    return sensitive_event(online=request.param)


# Calendar files


def test_the_confirmation_email_attaches_a_calendar_file_with_title_time_and_link_only(
    event, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        registration_create(event=event, user=PractitionerFactory(), sessions=event.sessions.all())

    [confirmation] = sent("Your place is confirmed")
    assert_sensitive_email(confirmation, event)
    [ics] = calendar_attachments(confirmation)
    assert_sensitive_calendar(ics, event)


def test_the_cancellation_email_attaches_a_cancelling_calendar_file(
    event, django_capture_on_commit_callbacks
):
    registration = registration_create(event=event, user=PractitionerFactory())
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        registration_cancel(registration=registration, actor=registration.user)

    [cancellation] = sent("Registration cancelled")
    assert_sensitive_email(cancellation, event)
    [ics] = calendar_attachments(cancellation)
    assert_sensitive_calendar(ics, event, cancelled=True)


def test_the_approval_email_attaches_a_calendar_file_with_title_time_and_link_only(
    django_capture_on_commit_callbacks,
):
    event = sensitive_event(requires_approval=True)
    organiser = PractitionerFactory()

    with django_capture_on_commit_callbacks(execute=True):
        registration = registration_create(event=event, user=PractitionerFactory())
        registration_approve(registration=registration, actor=organiser)

    pending, approved = sent("Waiting for approval", "Your place is approved")
    assert_sensitive_email(pending, event)
    assert_sensitive_email(approved, event)
    assert calendar_attachments(pending) == []
    [ics] = calendar_attachments(approved)
    assert_sensitive_calendar(ics, event)


def test_accepting_an_offered_place_attaches_a_calendar_file_with_title_time_and_link_only(
    django_capture_on_commit_callbacks,
):
    event = sensitive_event(capacity=1)
    confirmed = registration_create(event=event, user=PractitionerFactory())
    waiting = registration_create(event=event, user=PractitionerFactory())
    registration_cancel(registration=confirmed, actor=confirmed.user)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        offer_accept(registration=Registration.objects.get(pk=waiting.pk), user=waiting.user)

    [confirmation] = sent("Your place is confirmed")
    [ics] = calendar_attachments(confirmation)
    assert_sensitive_calendar(ics, event)


def test_the_downloaded_calendar_file_has_title_time_and_link_only(event, client):
    registration = registration_create(event=event, user=PractitionerFactory())
    client.force_login(registration.user)

    response = client.get(reverse("events:calendar", args=[registration.pk]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert_sensitive_calendar(response.content, event)


def test_the_calendar_file_after_a_change_of_sessions_has_title_time_and_link_only(
    event, client, django_capture_on_commit_callbacks
):
    registration = registration_create(event=event, user=PractitionerFactory())
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        registration = registration_change_sessions(
            registration=registration, sessions=event.sessions.all(), actor=registration.user
        )

    # A change of sessions sends no email today; should it ever send one, it must be as bare.
    for message in mail.outbox:
        assert_sensitive_email(message, event)
        for ics in calendar_attachments(message):
            assert_sensitive_calendar(ics, event)
    client.force_login(registration.user)
    response = client.get(reverse("events:calendar", args=[registration.pk]))
    assert_sensitive_calendar(response.content, event)
    assert icalendar.Calendar.from_ical(response.content).walk("VEVENT")[0]["sequence"] == 1


# Emails without a calendar file


def test_waiting_list_place_offered_and_offer_expired_emails_give_title_and_link_only(
    django_capture_on_commit_callbacks,
):
    event = sensitive_event(capacity=1, offer_hold_hours=24)
    confirmed = registration_create(event=event, user=PractitionerFactory())
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        registration_create(event=event, user=PractitionerFactory())
        registration_cancel(registration=confirmed, actor=confirmed.user)
        offers_expire(now=timezone.now() + timedelta(hours=25))

    waiting, cancelled, offer, expired = sent(
        "You are on the waiting list",
        "Registration cancelled",
        "A place has come up",
        "The place you were offered has gone",
    )
    for message in (waiting, cancelled, offer, expired):
        assert_sensitive_email(message, event)
    for message in (waiting, offer, expired):
        assert calendar_attachments(message) == []


def test_a_declined_registration_email_gives_title_only(django_capture_on_commit_callbacks):
    event = sensitive_event(requires_approval=True)
    registration = registration_create(event=event, user=PractitionerFactory())
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        registration_decline(registration=registration, actor=PractitionerFactory())

    [declined] = sent("Your registration was not approved")
    for text in email_texts(declined):
        for secret in NEVER_OUTSIDE_KX:
            assert secret not in text
    assert calendar_attachments(declined) == []


@pytest.mark.parametrize(
    ("starts_in", "subject"),
    [
        pytest.param(timedelta(days=5), "is in a week", id="7 days"),
        pytest.param(timedelta(hours=12), "is tomorrow", id="1 day"),
    ],
)
def test_reminders_give_title_and_link_only(
    starts_in, subject, django_capture_on_commit_callbacks
):
    start = timezone.now() + starts_in
    event = sensitive_event(
        start=start,
        registration_opens_at=start - timedelta(days=60),
        registration_closes_at=start - timedelta(hours=1),
    )
    registration = Registration.objects.create(
        event=event,
        user=PractitionerFactory(),
        status=Status.CONFIRMED,
        created_at=start - timedelta(days=30),
    )
    registration.sessions.set(event.sessions.all())

    with django_capture_on_commit_callbacks(execute=True):
        send_reminders()

    [reminder] = sent(subject)
    assert_sensitive_email(reminder, event)
    assert calendar_attachments(reminder) == []


def test_the_feedback_invitation_gives_title_and_link_only(django_capture_on_commit_callbacks):
    start = timezone.now() - timedelta(days=2)
    event = sensitive_event(
        start=start,
        registration_opens_at=start - timedelta(days=60),
        registration_closes_at=start - timedelta(days=1),
    )
    registration = Registration.objects.create(
        event=event, user=PractitionerFactory(), status=Status.CONFIRMED, checked_in_at=start
    )
    registration.sessions.set(event.sessions.all())

    with django_capture_on_commit_callbacks(execute=True):
        assert send_feedback_invitations() == 1

    [invitation] = sent("How was")
    assert_sensitive_email(
        invitation, event, link=reverse("events:feedback", args=[registration.pk])
    )
    assert "certificate" in invitation.body
    assert calendar_attachments(invitation) == []


def test_an_organisers_message_email_gives_title_and_link_only(
    django_capture_on_commit_callbacks,
):
    event = sensitive_event()
    registration_create(event=event, user=PractitionerFactory())
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        event_message_send(
            event=event,
            audience="confirmed",
            subject=f"Parking at {VENUE_NAME}",
            body=MESSAGE_BODY,
            actor=PractitionerFactory(),
        )

    [message] = sent("A new message from the organisers")
    assert_sensitive_email(message, event)


# Events that are not sensitive keep their details


def test_an_official_event_keeps_its_location_and_description(
    client, django_capture_on_commit_callbacks
):
    venue = VenueFactory(name=VENUE_NAME, address=ADDRESS)
    event = EventPageFactory(marking=Marking.OFFICIAL, summary=SUMMARY, venue=venue)

    with django_capture_on_commit_callbacks(execute=True):
        registration = registration_create(event=event, user=PractitionerFactory())
    [confirmation] = sent("Your place is confirmed")
    [attached] = calendar_attachments(confirmation)
    client.force_login(registration.user)
    downloaded = client.get(reverse("events:calendar", args=[registration.pk])).content

    for ics in (attached, downloaded):
        [entry] = icalendar.Calendar.from_ical(ics).walk("VEVENT")
        assert str(entry["location"]) == f"{VENUE_NAME}, {ADDRESS}"
        assert str(entry["description"]) == f"{SUMMARY}\n\n{event_url(event)}"
        assert "CLASS" not in entry
        assert VENUE_NAME in readable(ics)
    assert VENUE_NAME in confirmation.body
    assert SUMMARY in confirmation.body
