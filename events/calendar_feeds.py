"""Calendar files and feeds for readers: "Add to calendar" on an event page, the public feed of
upcoming public events, and a member's personal feed of their own registrations.

The personal feed is read by calendar programs, which send no session cookie: its address is
the only credential. The address holds an HMAC of the member's ``CalendarFeed.key``, so it can
be shown again on My events without being stored, and "reset this link" (a new key) revokes
every copy given out before.
"""

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.crypto import constant_time_compare, salted_hmac
from django.views.decorators.http import require_GET, require_POST

from kx_site.audience import access_refusal
from kx_site.links import absolute_url

from .calendar import event_calendar, event_only_entry, new_calendar, registration_entry
from .models import CalendarFeed, EventPage
from .selectors import current_registrations, upcoming_events

# How long a shared cache or a calendar program may keep a public file: the page cache
# (kx_site.page_cache) retires its own copy on any change to content before that.
PUBLIC_MAX_AGE = 600
TOKEN_SALT = "events.calendar_feeds.personal"
CALENDAR_CONTENT_TYPE = "text/calendar; charset=utf-8"


def _calendar_response(ics, *, filename=None):
    response = HttpResponse(ics, content_type=CALENDAR_CONTENT_TYPE)
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def event_file(request, event_id):
    """ "Add to calendar": the event's own file, for whoever may see its page."""
    event = get_object_or_404(EventPage.objects.live().select_related("venue"), pk=event_id)
    if access_refusal(request.user, event) is not None:
        # The page's own refusal (a sign-in redirect or the 403 page saying why), so the file is
        # refused exactly as the page would be: serve() answers before it renders anything.
        return event.serve(request)
    response = _calendar_response(
        event_calendar(event, request=request), filename=f"{event.slug}.ics"
    )
    if event.is_public:
        patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    else:
        patch_cache_control(response, private=True, no_store=True)
    return response


def public_feed_events():
    """Upcoming live events that a signed-out reader may see, soonest first: decided by the
    audience rule itself, so that a restricted event cannot reach the public feed."""
    return upcoming_events(AnonymousUser())


@require_GET
def public_feed(request):
    """The subscribable feed of upcoming public events (the same for every reader)."""
    calendar = new_calendar("PUBLISH", name="KX events")
    now = timezone.now()
    for event in public_feed_events():
        calendar.add_component(event_only_entry(event, now=now, request=request))
    response = _calendar_response(calendar.to_ical().decode())
    patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    return response


# --- The personal feed --------------------------------------------------------------------------


def feed_token(feed):
    digest = salted_hmac(TOKEN_SALT, f"{feed.user_id}:{feed.key}", algorithm="sha256")
    return f"{feed.user_id}-{digest.hexdigest()[:40]}"


def feed_for_token(token):
    """The feed ``token`` opens, or None (unknown, reset or forged)."""
    user_id, _, _digest = token.partition("-")
    if not user_id.isdigit():
        return None
    feed = (
        CalendarFeed.objects.select_related("user", "user__organisation")
        .filter(user_id=int(user_id), user__is_active=True)
        .first()
    )
    if feed is None or not constant_time_compare(feed_token(feed), token):
        return None
    return feed


def personal_feed_url(feed, request=None):
    return absolute_url(reverse("events:personal_calendar_feed", args=[feed_token(feed)]), request)


def webcal_url(url):
    """The address calendar programs open as a subscription (webcal:// is http(s) underneath)."""
    return "webcal://" + url.partition("://")[2]


@transaction.atomic
def calendar_feed_reset(*, user):
    """Give ``user`` a new personal feed address; any earlier one stops working at once."""
    feed, created = CalendarFeed.objects.select_for_update().get_or_create(
        user=user, defaults={"key": secrets.token_urlsafe(32)}
    )
    if not created:
        feed.key = secrets.token_urlsafe(32)
        feed.created_at = timezone.now()
        feed.save(update_fields=["key", "created_at"])
    return feed


def _private(response):
    # No session cookie comes with a calendar program's request, so without this the page cache
    # (kx_site.page_cache) would keep the answer as if it were public, and a reset address would
    # go on answering from there until the next change to content.
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
def personal_feed(request, token):
    feed = feed_for_token(token)
    if feed is None:
        raise Http404
    user = feed.user
    calendar = new_calendar("PUBLISH", name="My KX events")
    now = timezone.now()
    for registration in current_registrations(user):
        registration.user = user  # for the entry, without joining the user to every row
        calendar.add_component(registration_entry(registration, now=now, request=request))
    return _private(_calendar_response(calendar.to_ical().decode()))


@login_required
@require_POST
def personal_feed_reset(request):
    had_feed = CalendarFeed.objects.filter(user=request.user).exists()
    calendar_feed_reset(user=request.user)
    messages.success(
        request,
        "Your calendar link has been reset: the old link no longer works. Subscribe to the new "
        "one in your calendar program."
        if had_feed
        else "Your calendar link is ready. Subscribe to it in your calendar program.",
    )
    return redirect(reverse("events:my_events") + "#calendar-feed")


def my_events_feed_context(request):
    """For My events: the member's feed addresses, if they have made one."""
    feed = CalendarFeed.objects.filter(user=request.user).first()
    if feed is None:
        return {"calendar_feed": None}
    url = personal_feed_url(feed, request)
    return {"calendar_feed": {"url": url, "webcal_url": webcal_url(url)}}


def public_feed_context(request):
    url = absolute_url(reverse("event_calendar:public_feed"), request)
    return {"url": url, "webcal_url": webcal_url(url)}
