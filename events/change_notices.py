"""Telling delegates when an organiser publishes a change to when or where their event is.

Publishing a page saves it whole (Wagtail's ``PublishRevisionAction``), then sends
``page_published``. Just before that save, the event's schedule as the database still holds it
(times, venue, online or not, and each session's time and room) is read and kept on the page
object; once it is published the two are compared. One publish is one change batch: however many
fields moved, each delegate gets one email, with their calendar entry's new version (the
registration's own UID, a higher SEQUENCE, METHOD:REQUEST) so that their calendar program moves
the entry it holds rather than adding another.

Drafts are saved with ``update_fields`` and are never compared: delegates hear of a change when
it is published, not while it is being written. Calling an event off is its own action
(``organiser_services.event_cancel``, the organisers' "Cancel event"), which sends METHOD:CANCEL.
"""

import logging
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models.signals import pre_save
from django.utils import timezone
from wagtail.signals import page_published

from .models import EventPage, EventSession, Registration, Venue
from .services import _lock_event, _tell_delegates

logger = logging.getLogger(__name__)

Status = Registration.Status
# The delegates a change is sent to, as the issue asks: those with a place and those waiting
# for one. (Pending approval and offered places are not told; widen here if that changes.)
TOLD_OF_CHANGES = (Status.CONFIRMED, Status.WAITING)
EVENT_FIELDS = ("start", "end", "venue_id", "is_online")
SESSION_FIELDS = ("title", "start", "end", "room")
LONDON = ZoneInfo("Europe/London")
# Kept on the page object between the save and the signal that follows it.
BEFORE_ATTRIBUTE = "_kx_schedule_before_publish"


def schedule_of(event_pk):
    """What delegates plan around, as the database holds it now (None for a new page)."""
    event = EventPage.objects.filter(pk=event_pk).values(*EVENT_FIELDS).first()
    if event is None:
        return None
    sessions = EventSession.objects.filter(event_id=event_pk).values("pk", *SESSION_FIELDS)
    return {"event": event, "sessions": {session["pk"]: session for session in sessions}}


def _day(moment):
    return f"{moment:%A} {moment.day} {moment:%B %Y}"


def _when(start, end):
    start, end = timezone.localtime(start, LONDON), timezone.localtime(end, LONDON)
    if start.date() == end.date():
        return f"{_day(start)}, {start:%H:%M} to {end:%H:%M}"
    return f"{_day(start)}, {start:%H:%M} to {_day(end)}, {end:%H:%M}"


def _where(event, venues):
    if event["is_online"]:
        return "online"
    venue = venues.get(event["venue_id"])
    return venue.name if venue else "no venue given"


def schedule_changes(before, after):
    """The changes between two ``schedule_of`` answers, each a line for the email, in the order
    a delegate reads them: the event's time, its place, then each session."""
    old, new = before["event"], after["event"]
    changes = []
    if (old["start"], old["end"]) != (new["start"], new["end"]):
        changes.append(
            f"When: now {_when(new['start'], new['end'])} (was {_when(old['start'], old['end'])})"
        )
    if (old["venue_id"], old["is_online"]) != (new["venue_id"], new["is_online"]):
        venues = Venue.objects.in_bulk([old["venue_id"], new["venue_id"]])
        changes.append(f"Where: now {_where(new, venues)} (was {_where(old, venues)})")
    for pk, was in before["sessions"].items():
        now = after["sessions"].get(pk)
        if now is None:
            changes.append(f"“{was['title']}” is no longer in the programme")
            continue
        moved = []
        if (was["start"], was["end"]) != (now["start"], now["end"]):
            moved.append(
                f"now {_when(now['start'], now['end'])} (was {_when(was['start'], was['end'])})"
            )
        if was["room"] != now["room"]:
            moved.append(f"now in {now['room'] or 'a room to be announced'} (was {was['room']})")
        if moved:
            changes.append(f"“{now['title']}”: {'; '.join(moved)}")
    return changes


@transaction.atomic
def event_change_notify(*, event, changes, actor=None):
    """Tell every confirmed and waiting delegate of ``event`` about ``changes`` (one publish):
    one email each, carrying their calendar entry at a SEQUENCE higher than any sent before.
    Returns how many were told."""
    # The lock every change to a place takes first: no registration is created, cancelled or
    # offered between reading the delegates and raising their SEQUENCE.
    event = _lock_event(event)
    told = list(
        Registration.objects.filter(event=event, status__in=TOLD_OF_CHANGES)
        .select_related("user")
        .order_by("pk")
    )
    return _tell_delegates(
        told,
        event=event,
        action="told_of_change",
        actor=actor,
        template_name="event_changed",
        method="REQUEST",
        context={"changes": changes},
    )


# --- Signals ------------------------------------------------------------------------------------


def remember_schedule(sender, instance, raw=False, update_fields=None, **kwargs):
    """pre_save: keep the schedule the database holds before a whole-page save (a publish)."""
    if raw or update_fields is not None or instance.pk is None:
        return
    setattr(instance, BEFORE_ATTRIBUTE, schedule_of(instance.pk))


def on_event_published(sender, instance, revision=None, **kwargs):
    before = instance.__dict__.pop(BEFORE_ATTRIBUTE, None)
    # A publication scheduled for later is sent this signal too, before it is live.
    if before is None or not instance.live:
        return
    after = schedule_of(instance.pk)
    if after is None:
        return
    if max(before["event"]["end"], after["event"]["end"]) < timezone.now():
        return  # corrections to a finished event move nobody's day
    changes = schedule_changes(before, after)
    if changes:
        user = getattr(revision, "user", None)
        count = event_change_notify(event=instance, changes=changes, actor=user)
        logger.info("Event %s changed (%s): %s delegates told", instance.pk, changes, count)


def connect_signals():
    pre_save.connect(remember_schedule, sender=EventPage, dispatch_uid="kx-event-schedule")
    page_published.connect(
        on_event_published, sender=EventPage, dispatch_uid="kx-event-change-notices"
    )
