"""iCalendar files for delegates: one entry per registration, updated in place.

The UID is fixed per registration and SEQUENCE grows with each change, so calendar programs
replace the entry rather than add a second one.

Calendar files leave KX for personal and shared calendars, so what an entry says about its event
is decided in one place, ``event_entry``, which every calendar file is built from.
"""

from django.utils import timezone
from icalendar import Calendar, Event, vText

from kx_site.links import absolute_url

# Where an OFFICIAL-SENSITIVE event's entry says it is: the venue stays on KX.
SENSITIVE_LOCATION = "See KX for the venue"


def event_entry(event_page, *, base_url=None):
    """A calendar entry with what may be said about ``event_page`` outside KX; the caller adds
    the UID, SEQUENCE, DTSTAMP and STATUS. ``base_url`` is for a file built outside the request
    that asked for it (see ``kx_site.links``).

    An OFFICIAL-SENSITIVE event's entry holds its title, its time and a link, a neutral location
    and CLASS:CONFIDENTIAL (so that shared calendars show the slot as busy only): never its venue,
    address, joining link, summary, sessions, speakers, access information or organisers.
    """
    url = absolute_url(event_page.url, base=base_url)
    entry = Event()
    entry.add("dtstart", event_page.start)
    entry.add("dtend", event_page.end)
    entry.add("summary", event_page.title)
    entry.add("url", url)
    if event_page.is_sensitive:
        entry["location"] = vText(SENSITIVE_LOCATION)
        entry.add("description", url)
        entry.add("class", "CONFIDENTIAL")
        return entry
    # Anything more about the event goes below this line, so that it never reaches the entry of
    # a sensitive one.
    if event_page.is_online:
        entry["location"] = vText("Online")
    elif event_page.venue:
        entry["location"] = vText(f"{event_page.venue.name}, {event_page.venue.address}")
    entry.add("description", f"{event_page.summary}\n\n{url}")
    return entry


def registration_calendar(registration, *, cancelled=False, base_url=None):
    calendar = Calendar()
    calendar.add("prodid", "-//KX knowledge exchange//events//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")

    entry = event_entry(registration.event, base_url=base_url)
    entry.add("uid", registration.calendar_uid)
    entry.add("sequence", registration.calendar_sequence)
    entry.add("dtstamp", timezone.now())
    entry.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    calendar.add_component(entry)
    return calendar.to_ical().decode()


def registration_calendar_attachment(registration, *, cancelled=False, base_url=None):
    return (
        "event.ics",
        registration_calendar(registration, cancelled=cancelled, base_url=base_url),
        "text/calendar",
    )
