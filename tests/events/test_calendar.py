"""The delegate's calendar file: one entry per registration, updated in place."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from events.calendar import registration_calendar, registration_calendar_attachment
from events.services import (
    registration_cancel,
    registration_change_sessions,
    registration_create,
)
from kx_site.audience import Marking
from tests.factories import PractitionerFactory

from .factories import EventPageFactory, EventSessionFactory, VenueFactory

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


def parse(ics):
    calendar = icalendar.Calendar.from_ical(ics)
    [entry] = calendar.walk("VEVENT")
    return calendar, entry


def test_a_confirmed_place_is_published_with_the_events_details():
    venue = VenueFactory(name="Ryton training centre", address="Ryton-on-Dunsmore")
    event = EventPageFactory(title="National MAPPA conference", venue=venue)
    registration = registration_create(event=event, user=PractitionerFactory())

    calendar, entry = parse(registration_calendar(registration))

    assert str(calendar["method"]) == "PUBLISH"
    assert str(calendar["version"]) == "2.0"
    assert str(entry["uid"]) == registration.calendar_uid
    assert entry["sequence"] == 0
    assert str(entry["status"]) == "CONFIRMED"
    assert str(entry["summary"]) == "National MAPPA conference"
    assert str(entry["location"]) == "Ryton training centre, Ryton-on-Dunsmore"
    assert str(entry["url"]) == "http://testserver" + event.url
    assert event.summary in str(entry["description"])


def test_an_online_event_is_located_online():
    event = EventPageFactory(venue=None, is_online=True, joining_link="https://meet.example/x")
    registration = registration_create(event=event, user=PractitionerFactory())

    _calendar, entry = parse(registration_calendar(registration))

    assert str(entry["location"]) == "Online"


@pytest.mark.parametrize(
    "start",
    [
        pytest.param(datetime(2027, 7, 1, 9, 30, tzinfo=LONDON), id="summer time (BST)"),
        pytest.param(datetime(2027, 1, 14, 9, 30, tzinfo=LONDON), id="winter time (GMT)"),
        pytest.param(
            datetime(2027, 3, 28, 0, 30, tzinfo=LONDON), id="night the clocks go forward"
        ),
    ],
)
def test_times_are_the_right_instants_for_london(start):
    end = start + timedelta(hours=8)
    event = EventPageFactory(start=start, end=end)
    registration = registration_create(event=event, user=PractitionerFactory())

    _calendar, entry = parse(registration_calendar(registration))

    dtstart, dtend = entry.decoded("dtstart"), entry.decoded("dtend")
    assert dtstart.tzinfo is not None, "floating times would be read in the reader's own zone"
    assert dtstart == start
    assert dtend == end
    assert dtstart.astimezone(LONDON).hour == start.hour


def test_summer_time_is_one_hour_ahead_of_utc():
    start = datetime(2027, 7, 1, 9, 30, tzinfo=LONDON)
    event = EventPageFactory(start=start, end=start + timedelta(hours=2))
    registration = registration_create(event=event, user=PractitionerFactory())

    _calendar, entry = parse(registration_calendar(registration))

    assert entry.decoded("dtstart").astimezone(UTC) == datetime(2027, 7, 1, 8, 30, tzinfo=UTC)


def test_the_uid_stays_and_the_sequence_grows_with_each_change_and_the_cancellation():
    event = EventPageFactory()
    morning = EventSessionFactory(event=event)
    person = PractitionerFactory()
    registration = registration_create(event=event, user=person)
    _calendar, first = parse(registration_calendar(registration))

    registration = registration_change_sessions(
        registration=registration, sessions=[morning], actor=person
    )
    _calendar, changed = parse(registration_calendar(registration))
    registration = registration_cancel(registration=registration, actor=person)
    calendar, cancelled = parse(registration_calendar(registration, cancelled=True))

    assert str(first["uid"]) == str(changed["uid"]) == str(cancelled["uid"])
    assert [first["sequence"], changed["sequence"], cancelled["sequence"]] == [0, 1, 2]
    assert registration.calendar_sequence == 2
    assert str(calendar["method"]) == "CANCEL"
    assert str(cancelled["status"]) == "CANCELLED"


def test_different_registrations_have_different_uids():
    event = EventPageFactory()
    one = registration_create(event=event, user=PractitionerFactory())
    two = registration_create(event=event, user=PractitionerFactory())

    assert one.calendar_uid != two.calendar_uid


def test_an_official_sensitive_event_is_not_described_outside_the_site():
    event = EventPageFactory(
        marking=Marking.OFFICIAL_SENSITIVE, summary="Covert tactics for online offending"
    )
    registration = registration_create(event=event, user=PractitionerFactory())

    ics = registration_calendar(registration)

    _calendar, entry = parse(ics)
    assert "Covert tactics" not in str(entry["description"])
    assert "Covert tactics" not in ics
    assert str(entry["description"]) == "http://testserver" + event.url


def test_the_attachment_is_a_text_calendar_file():
    registration = registration_create(event=EventPageFactory(), user=PractitionerFactory())

    filename, content, mimetype = registration_calendar_attachment(registration)

    assert filename == "event.ics"
    assert mimetype == "text/calendar"
    parse(content)
