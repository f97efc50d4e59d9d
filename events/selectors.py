"""Reads of events and registrations that more than one page shares (the home page, the calendar
feeds), each through the audience rule, so no page can list what the reader may not see."""

from django.utils import timezone

from kx_site.audience import visibility_q, visible_to

from .models import EventPage, Registration


def upcoming_events(user, now=None):
    """The live events ``user`` may see that have not ended, soonest first (the events
    listing's own "upcoming" split and order)."""
    now = now or timezone.now()
    return visible_to(
        EventPage.objects.live()
        .filter(end__gte=now)
        .select_related("venue", "cancellation")
        .order_by("start", "pk"),
        user,
    )


def current_registrations(user):
    """The member's active registrations (not cancelled or declined) for live events they may
    still see, soonest first, in one query. As on My events (``events.views.my_events``), an
    event narrowed since they registered is left out."""
    return (
        Registration.objects.filter(
            user=user, status__in=Registration.ACTIVE_STATUSES, event__live=True
        )
        .filter(visibility_q(user, prefix="event__"))
        .distinct()
        .select_related("event", "event__venue")
        .order_by("event__start", "pk")
    )
