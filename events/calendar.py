"""iCalendar files for delegates: one entry per registration, updated in place.

The UID is fixed per registration and SEQUENCE grows with each change, so calendar programs
replace the entry rather than add a second one.
"""

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vText


def registration_calendar(registration, *, cancelled=False):
    event_page = registration.event
    calendar = Calendar()
    calendar.add("prodid", "-//KX knowledge exchange//events//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")

    entry = Event()
    entry.add("uid", registration.calendar_uid)
    entry.add("sequence", registration.calendar_sequence)
    entry.add("dtstamp", timezone.now())
    entry.add("dtstart", event_page.start)
    entry.add("dtend", event_page.end)
    entry.add("summary", event_page.title)
    entry.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    url = settings.WAGTAILADMIN_BASE_URL + event_page.url
    entry.add("url", url)
    if event_page.is_online:
        entry["location"] = vText("Online")
    elif event_page.venue:
        entry["location"] = vText(f"{event_page.venue.name}, {event_page.venue.address}")
    # Sensitive events are never described outside the site: a title and a link at most.
    description = url if event_page.is_sensitive else f"{event_page.summary}\n\n{url}"
    entry.add("description", description)
    calendar.add_component(entry)
    return calendar.to_ical().decode()


def registration_calendar_attachment(registration, *, cancelled=False):
    return (
        "event.ics",
        registration_calendar(registration, cancelled=cancelled),
        "text/calendar",
    )
