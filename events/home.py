"""The events' sections of the home page (``kx_site.home``): the reader's own next event, and
the soonest upcoming events they may see."""

from django.utils import timezone

from kx_site.home import home_section
from kx_site.page_cache import remembered_for_reader

from . import selectors

UPCOMING_EVENTS = 3


def next_registration(user, now=None):
    """The reader's own next event: their active registration for the live event, visible to
    them, that starts soonest and has not yet ended; None if they have none (or are signed out).
    """
    if not user.is_authenticated:
        return None
    now = now or timezone.now()
    return selectors.current_registrations(user).filter(event__end__gte=now).first()


def upcoming_events(user, now=None, limit=UPCOMING_EVENTS):
    """The first of the events listing's upcoming events that ``user`` may see. Asked for now,
    kept until content changes for readers who may see the same (``kx_site.page_cache``): an
    event that ends meanwhile stays at most ``KX_PAGE_CACHE_SECONDS``, as on a kept page."""
    if now is not None:
        return list(selectors.upcoming_events(user, now)[:limit])
    return remembered_for_reader(
        user,
        f"home-upcoming-events:{limit}",
        lambda: list(selectors.upcoming_events(user)[:limit]),
    )


@home_section("next_event", template="events/home/next_event.html", order=10, wide=True)
def next_event_section(user):
    return {"next_registration": next_registration(user)}


@home_section(
    "events",
    template="events/home/upcoming_events.html",
    order=20,
    index_page="events.EventIndexPage",
)
def upcoming_events_section(user):
    return {"upcoming_events": upcoming_events(user)}
