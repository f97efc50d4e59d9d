"""iCalendar files: a delegate's entry per registration, an event's own file, and the feeds.

A registration's UID is fixed (its ticket code) and SEQUENCE grows with each change, so calendar
programs replace the entry rather than add a second one. An event's own file ("Add to calendar")
and the public feed use a UID per event instead: a reader who is not registered has no
registration to name.

Calendar files leave KX for personal and shared calendars, so what an entry says about its event
is decided in one place, ``event_entry``, which every calendar file is built from.
"""

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from kx_site.links import absolute_url

# Where an OFFICIAL-SENSITIVE event's entry says it is: the venue stays on KX.
SENSITIVE_LOCATION = "See KX for the venue"
PRODID = "-//KX knowledge exchange//events//EN"


def event_entry(event_page, *, base_url=None, request=None):
    """A calendar entry with what may be said about ``event_page`` outside KX; the caller adds
    the UID, SEQUENCE, DTSTAMP and STATUS. ``base_url`` is for a file built outside the request
    that asked for it (see ``kx_site.links``); ``request``, when there is one, lets a feed of
    many events resolve their addresses from the site paths it has already read.

    An OFFICIAL-SENSITIVE event's entry holds its title, its time and a link, a neutral location
    and CLASS:CONFIDENTIAL (so that shared calendars show the slot as busy only): never its venue,
    address, joining link, summary, sessions, speakers, access information or organisers.
    """
    url = absolute_url(event_page.get_url(request=request), request, base=base_url)
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


def new_calendar(method, *, name=None):
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    if name:
        # Read by Apple, Google and Outlook as the subscribed calendar's name and refresh hint.
        calendar.add("x-wr-calname", name)
        calendar.add("x-published-ttl", "PT1H")
    return calendar


def event_uid(event_page):
    return f"event-{event_page.pk}@kx"


def event_only_entry(event_page, *, now=None, request=None):
    """The entry of an event for a reader, registered or not ("Add to calendar", public feed)."""
    entry = event_entry(event_page, request=request)
    entry.add("uid", event_uid(event_page))
    entry.add("dtstamp", now or timezone.now())
    if event_page.last_published_at:
        # Without a SEQUENCE of its own, LAST-MODIFIED tells a program that the entry changed.
        entry.add("last-modified", event_page.last_published_at)
    entry.add("status", "CANCELLED" if event_page.is_cancelled else "CONFIRMED")
    return entry


def event_calendar(event_page, *, request=None):
    """The "Add to calendar" file of one event."""
    calendar = new_calendar("PUBLISH")
    calendar.add_component(event_only_entry(event_page, request=request))
    return calendar.to_ical().decode()


def registration_entry(
    registration, *, cancelled=False, base_url=None, request=None, now=None, attendee=False
):
    """The delegate's own entry: their registration's UID and SEQUENCE. Only a confirmed place
    is CONFIRMED; a place still waiting (list, approval, offer) is TENTATIVE."""
    entry = event_entry(registration.event, base_url=base_url, request=request)
    entry.add("uid", registration.calendar_uid)
    entry.add("sequence", registration.calendar_sequence)
    entry.add("dtstamp", now or timezone.now())
    if cancelled:
        status = "CANCELLED"
    elif registration.status == registration.Status.CONFIRMED:
        status = "CONFIRMED"
    else:
        status = "TENTATIVE"
    entry.add("status", status)
    if attendee:
        # METHOD:REQUEST and CANCEL are scheduling messages: RFC 5546 has them name the
        # organiser and the attendee, or Outlook and Google will not apply them to the entry.
        organiser = vCalAddress(f"mailto:{settings.DEFAULT_FROM_EMAIL}")
        organiser.params["cn"] = vText("KX events")
        entry.add("organizer", organiser)
        delegate = vCalAddress(f"mailto:{registration.user.email}")
        delegate.params["rsvp"] = vText("FALSE")
        entry.add("attendee", delegate)
    return entry


def registration_calendar(registration, *, cancelled=False, base_url=None, method=None):
    """``method`` defaults to PUBLISH (CANCEL when ``cancelled``); a change notice asks for
    REQUEST, the method a calendar program applies to an entry it already holds."""
    # Only the change notices name a method, and only they send scheduling messages: the
    # confirmation and cancellation files stay the plain publications they have always been.
    scheduling = method is not None
    method = method or ("CANCEL" if cancelled else "PUBLISH")
    calendar = new_calendar(method)
    calendar.add_component(
        registration_entry(
            registration, cancelled=cancelled, base_url=base_url, attendee=scheduling
        )
    )
    return calendar.to_ical().decode()


def registration_calendar_attachment(registration, *, cancelled=False, base_url=None, method=None):
    return (
        "event.ics",
        registration_calendar(registration, cancelled=cancelled, base_url=base_url, method=method),
        "text/calendar",
    )
