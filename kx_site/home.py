"""Reads for the home page: what is next and new for this reader.

Every listing goes through its app's own visibility rule (``visible_to`` and ``visibility_q``
for pages, ``briefings.selectors.visible_briefings``, ``forums.selectors.visible_threads``), so
the home page can never show a title its own listing would hide. Each is one query with a
LIMIT, however much content there is: the home page's query count does not grow with the data.
"""

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from wagtail.models import Page

from .audience import visible_to

UPCOMING_EVENTS = 3
LATEST_BRIEFINGS = 3
RECENT_PRACTICES = 3
ACTIVE_THREADS = 5


def next_registration(user, now=None):
    """The reader's own next event: their active registration for the live event, visible to
    them, that starts soonest and has not yet ended; None if they have none (or are signed out).
    """
    from events.selectors import current_registrations

    if not user.is_authenticated:
        return None
    now = now or timezone.now()
    return current_registrations(user).filter(event__end__gte=now).first()


def upcoming_events(user, now=None, limit=UPCOMING_EVENTS):
    """The first of the events listing's upcoming events that ``user`` may see."""
    from events.selectors import upcoming_events

    return list(upcoming_events(user, now)[:limit])


def latest_briefings(user, limit=LATEST_BRIEFINGS):
    """The newest briefings ``user`` may see, in the briefings listing's order."""
    from briefings.selectors import visible_briefings

    return list(visible_briefings(user).order_by("-publication_date", "-pk")[:limit])


def recent_practices(user, limit=RECENT_PRACTICES):
    """The practices ``user`` may see, most recently added first (the library's "newest")."""
    from practice_library.models import PracticePage

    practices = visible_to(PracticePage.objects.live(), user)
    return list(
        practices.select_related("organisation").order_by("-first_published_at", "-pk")[:limit]
    )


def active_threads(user, limit=ACTIVE_THREADS):
    """``(access, threads)``: the reader's forum access (``forums.selectors.forum_access``) and,
    for members, the threads they may read with the latest posts first.

    Anyone else gets no threads at all, not even a count: the forums are for verified
    practitioners. Threads waiting for approval (shown to their author and to moderators in
    the forum itself) are left out here, so the home page lists what the category lists.
    """
    from forums.selectors import forum_access, visible_threads

    access = forum_access(user)
    if access != "member":
        return access, []
    threads = (
        visible_threads(user)
        .filter(is_visible=True)
        .select_related("category")
        .order_by("-last_post_at", "-pk")[:limit]
    )
    return access, list(threads)


def section_indexes(home):
    """The live listing pages under ``home`` by name (``"events"``, ``"briefings"``,
    ``"library"``), for the "All ..." links, in one query; a missing one is left out."""
    from briefings.models import BriefingIndexPage
    from events.models import EventIndexPage
    from practice_library.models import PracticeIndexPage

    # get_for_models reads Django's content type cache: no query once it is warm.
    content_types = ContentType.objects.get_for_models(
        EventIndexPage, BriefingIndexPage, PracticeIndexPage
    )
    names = {
        content_types[EventIndexPage].pk: "events",
        content_types[BriefingIndexPage].pk: "briefings",
        content_types[PracticeIndexPage].pk: "library",
    }
    indexes = {}
    # Plain Page rows: enough for a URL, and no query per page type.
    for page in (
        Page.objects.child_of(home).live().filter(content_type_id__in=names).order_by("path")
    ):
        indexes.setdefault(names[page.content_type_id], page)
    return indexes
