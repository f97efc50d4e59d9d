"""Registration: every change to a place goes through these functions.

Each one locks the event's row first, so that concurrent requests are served one at a time and
no place is ever given or offered twice. Emails are queued to go after the transaction commits,
and are rendered by the task worker (``events.sending``).

Everything under the lock is paid for by everyone queued behind it: at a conference's opening
minute, hundreds of registrations wait on the one row. So the lock is taken as late as possible
and held for a handful of short queries (lock, one count, the insert and its log entry); what
needs no lock (permission checks, the person's organisation, the event's quota rules, rendering
emails) happens before it or elsewhere.
"""

from datetime import timedelta
from itertools import pairwise

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, Max, OuterRef, Q
from django.utils import timezone

from kx_site.audience import can_view, user_has_verified_email

from .log_actions import log_registrations
from .models import (
    EventCancellation,
    EventPage,
    EventQuota,
    EventSession,
    Registration,
)
from .quotas import QuotaBook

# By this name, so that the tests' ``sent_templates`` fixture records every email queued here.
from .sending import queue_registration_email as queue_email

Status = Registration.Status

# The event's fields that decide who gets a place: read again under the lock, since an organiser
# may have changed them since the caller loaded the event.
DECIDING_FIELDS = (
    "capacity",
    "requires_approval",
    "registration_opens_at",
    "registration_closes_at",
    "quotas_release_at",
    "offer_hold_hours",
)


def _lock_event(event):
    """Lock the event's own row and refresh its deciding fields on ``event``.

    Only the ``events_eventpage`` row is locked and read, not the Wagtail page row with all its
    columns: every writer of places locks this same row, so they still go one at a time, and
    the caller's event (with what it has already loaded, such as its venue) is kept.
    """
    fresh = (
        EventPage.objects.select_for_update(of=("self",))
        .filter(pk=event.pk)
        .order_by()
        .values(
            *DECIDING_FIELDS,
            cancelled=Exists(EventCancellation.objects.filter(event=OuterRef("pk"))),
        )
        .get()
    )
    # Whether the event is cancelled is read in the same query: a cancellation takes this same
    # lock. Not cancelled: the page remembers it has no cancellation, so asking costs nothing.
    if fresh.pop("cancelled"):
        event._state.fields_cache.pop("cancellation", None)
    else:
        event._state.fields_cache["cancellation"] = None
    for field, value in fresh.items():
        setattr(event, field, value)
    return event


def _log(registration, action, actor=None, **data):
    """Log ``action`` (one of ``events.log_actions.REGISTRATION_ACTIONS``) on ``registration``
    in Wagtail's audit log (``events.log_actions.log_registrations``)."""
    log_registrations([registration], action, user=actor, **data)


def places_taken(event):
    return Registration.objects.filter(event=event, status__in=Registration.PLACE_STATUSES).count()


def _check_sessions(event, sessions, *, exclude_registration=None, check_capacity=True):
    """The chosen sessions belong to the event, do not overlap, and (if asked) have room."""
    sessions = list(sessions)
    for session in sessions:
        if session.event_id != event.pk:
            raise ValidationError({"sessions": "Choose sessions from this event's programme."})
    # Each error names its session in ``params``, so that a form can show it on the question
    # that offers that session (events.forms.SessionChoiceForm.add_service_error).
    ordered = sorted(sessions, key=lambda s: s.start)
    for earlier, later in pairwise(ordered):
        if later.start < earlier.end:
            raise ValidationError(
                {
                    "sessions": ValidationError(
                        "“%(earlier)s” and “%(later)s” run at the same time.",
                        code="sessions_overlap",
                        params={
                            "earlier": earlier.title,
                            "later": later.title,
                            "session": later.pk,
                        },
                    )
                }
            )
    for session in sessions:
        if session.capacity is None or not check_capacity:
            continue
        taken = session.registrations.filter(status__in=Registration.PLACE_STATUSES)
        if exclude_registration is not None:
            taken = taken.exclude(pk=exclude_registration.pk)
        if taken.count() >= session.capacity:
            raise ValidationError(
                {
                    "sessions": ValidationError(
                        "“%(title)s” is full.",
                        code="session_full",
                        params={"title": session.title, "session": session.pk},
                    )
                }
            )
    return sessions


def _send(
    registration, template_name, *, calendar=False, cancelled=False, method=None, context=None
):
    queue_email(
        template_name=f"events/{template_name}",
        to=registration.user.email,
        registration=registration,
        calendar=calendar,
        cancelled=cancelled,
        method=method,
        context=context,
    )


def _tell_delegates(
    told, *, event, action, actor, template_name, method, cancelled=False, fields=(), context=None
):
    """Tell each of ``told`` (registrations of ``event``, read under its lock, the caller's
    changes to ``fields`` made on them) about a change to the event: their calendar entry's
    SEQUENCE goes up and is saved with ``fields``, ``action`` is logged, and each gets one email
    with the entry's new version (``method``: REQUEST to move it, CANCEL to remove it), rendered
    by the worker. Returns how many were told."""
    for registration in told:
        registration.calendar_sequence += 1
        registration.event = event
    Registration.objects.bulk_update(told, ["calendar_sequence", *fields])
    log_registrations(told, action, user=actor)
    for registration in told:
        _send(
            registration,
            template_name,
            calendar=True,
            cancelled=cancelled,
            method=method,
            context=context,
        )
    return len(told)


@transaction.atomic
def registration_create(
    *,
    event,
    user,
    sessions=(),
    dietary_needs="",
    access_needs="",
    on_delegate_list=False,
    now=None,
):
    """Give the user a place, or a place on the waiting list when the event is full or, while
    the event's quotas are in force, when the user's organisation has used up its quota.

    The returned registration's ``quota_full`` says whether the quota sent them to wait.
    """
    if not can_view(user, event):
        raise PermissionDenied
    if not user_has_verified_email(user):
        raise ValidationError("Confirm your email address before you register.")
    if user.verification_lapsed:
        raise ValidationError("Confirm your organisation and role before you register.")
    # Read before the lock, as they need none: the person's organisation, and the event's quotas
    # (their rules; the places each organisation holds are counted under the lock). A quota an
    # organiser publishes at the very moment someone registers applies from the next person.
    organisation = user.organisation
    quotas = list(EventQuota.objects.filter(event=event))
    event = _lock_event(event)
    # Read the clock under the lock, so that waiting_since follows the order people are served.
    now = now or timezone.now()
    if not event.registration_is_open(now):
        raise ValidationError("Registration for this event is closed.")
    quota = QuotaBook(event, now, quotas=quotas, count_held=False).limit_for(organisation)
    # One query under the lock answers every question the decision needs.
    counts = Registration.objects.filter(event=event).aggregate(
        taken=Count("pk", filter=Q(status__in=Registration.PLACE_STATUSES)),
        waiting=Count("pk", filter=Q(status=Status.WAITING)),
        mine=Count("pk", filter=Q(user=user, status__in=Registration.ACTIVE_STATUSES)),
        # The person's one row for the event, if they registered before (and cancelled, were
        # declined or let an offer lapse): it is reused, so that they appear once everywhere.
        previous=Max("pk", filter=Q(user=user)),
        held_by_organisation=Count(
            "pk",
            filter=Q(organisation=organisation, status__in=Registration.PLACE_STATUSES),
        ),
    )
    if counts["mine"]:
        raise ValidationError("You are already registered for this event.")

    taken = counts["taken"]
    offered = []
    if taken < event.capacity and counts["waiting"]:
        # Places that came free (say, the capacity was raised) go to those already waiting first.
        offered = _offer_free_places(event, now, taken=taken)
        taken += len(offered)
    has_place = taken < event.capacity
    if not has_place or quota is None:
        quota_full = False
    elif offered:
        # The offers just made may have used the organisation's quota: count again.
        quota_full = QuotaBook(event, now, quotas=quotas).is_full_for(organisation)
    else:
        quota_full = counts["held_by_organisation"] >= quota
    if has_place and not quota_full:
        sessions = _check_sessions(event, sessions)
        status = Status.PENDING_APPROVAL if event.requires_approval else Status.CONFIRMED
    else:
        # Room in a session is checked when a place is offered and accepted.
        sessions = _check_sessions(event, sessions, check_capacity=False)
        status = Status.WAITING
    details = {
        "status": status,
        "organisation": organisation,
        "job_title": user.job_title,
        "dietary_needs": dietary_needs,
        "access_needs": access_needs,
        "on_delegate_list": on_delegate_list,
        "created_at": now,
        "waiting_since": now if status == Status.WAITING else None,
    }
    if counts["previous"] is None:
        registration = Registration.objects.create(event=event, user=user, **details)
        if sessions:  # a new registration has none: set() would first ask which
            registration.sessions.add(*sessions)
        _log(registration, "registered", user, status=status)
    else:
        registration = _register_again(counts["previous"], user, details, sessions)
        _log(registration, "registered_again", user, status=status)
    if status == Status.CONFIRMED:
        _send(registration, "confirmed", calendar=True)
    elif status == Status.PENDING_APPROVAL:
        _send(registration, "pending_approval")
    else:
        _send(registration, "waiting_list", context={"quota_full": quota_full})
    registration.quota_full = quota_full
    return registration


def _register_again(pk, user, details, sessions):
    """Reuse the person's cancelled or declined row for the event as a new registration.

    Everything about the earlier registration is replaced, as if the row were new: its
    ``created_at`` is now (the 7-day reminder skips people who registered inside the week), its
    reminders are due again and it is not checked in. Its ticket code, and so its calendar UID,
    stay: SEQUENCE goes up so that calendar programs replace the cancelled entry with this one.
    The earlier registration's story stays in its log.
    """
    registration = Registration.objects.select_for_update().get(pk=pk)
    registration.user = user  # the same person: saves a query when the email is queued
    for field, value in details.items():
        setattr(registration, field, value)
    registration.offer_expires_at = None
    registration.checked_in_at = None
    registration.reminder_7_days_sent_at = None
    registration.reminder_1_day_sent_at = None
    registration.calendar_sequence += 1
    registration.save(
        update_fields=[
            *details,
            "offer_expires_at",
            "checked_in_at",
            "reminder_7_days_sent_at",
            "reminder_1_day_sent_at",
            "calendar_sequence",
        ]
    )
    registration.sessions.set(sessions)
    return registration


def _offer_free_places(event, now, *, taken=None):
    """Offer each free place to the next person waiting; each offer holds its place.

    While quotas are in force, people whose organisation has used up its quota are passed over
    (they keep their position for when the quotas end). ``taken`` is the places taken, if the
    caller has just counted them under the lock.
    """
    free = event.capacity - (places_taken(event) if taken is None else taken)
    if free <= 0:
        return []
    quotas = QuotaBook(event, now)
    waiting = (
        Registration.objects.filter(event=event, status=Status.WAITING)
        .order_by("waiting_since", "pk")
        .select_related("user", "event", "organisation")
    )
    if not quotas.active:
        waiting = waiting[:free]
    offered = []
    for registration in waiting:
        if len(offered) == free:
            break
        if quotas.is_full_for(registration.organisation):
            continue
        quotas.take(registration.organisation)
        registration.status = Status.OFFERED
        registration.offer_expires_at = now + timedelta(hours=event.offer_hold_hours)
        registration.save(update_fields=["status", "offer_expires_at"])
        _log(registration, "offered")
        _send(registration, "offer")
        offered.append(registration)
    return offered


@transaction.atomic
def registration_cancel(*, registration, actor, now=None):
    now = now or timezone.now()
    event = _lock_event(registration.event)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status not in Registration.ACTIVE_STATUSES:
        raise ValidationError("This registration is already cancelled.")
    held_place = registration.status in Registration.PLACE_STATUSES
    was_confirmed = registration.status == Status.CONFIRMED
    registration.status = Status.CANCELLED
    registration.offer_expires_at = None
    registration.calendar_sequence += 1
    registration.save(update_fields=["status", "offer_expires_at", "calendar_sequence"])
    _log(registration, "cancelled", actor)
    _send(registration, "cancelled", calendar=was_confirmed, cancelled=True)
    if held_place:
        _offer_free_places(event, now)
    return registration


def offer_accept(*, registration, user, now=None):
    now = now or timezone.now()
    if registration.user_id != user.pk:
        raise PermissionDenied
    with transaction.atomic():
        event = _lock_event(registration.event)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.status != Status.OFFERED:
            raise ValidationError("This offer is no longer open.")
        expired = registration.offer_expires_at <= now
        if expired:
            # Moving the offer on must commit: raising inside the block would undo it.
            _expire_offer(registration, event, now)
        else:
            _drop_full_sessions(registration)
            registration.status = Status.CONFIRMED
            registration.offer_expires_at = None
            registration.save(update_fields=["status", "offer_expires_at"])
            _log(registration, "offer_accepted", user)
            _send(registration, "confirmed", calendar=True)
    if expired:
        raise ValidationError("This offer has expired, and the place has gone to the next person.")
    return registration


def _drop_full_sessions(registration):
    """Sessions chosen while waiting may have filled up since; the delegate can choose again."""
    for session in registration.sessions.exclude(capacity=None):
        taken = session.registrations.filter(status__in=Registration.PLACE_STATUSES).exclude(
            pk=registration.pk
        )
        if taken.count() >= session.capacity:
            registration.sessions.remove(session)
            _log(registration, "session_full_removed", session=session.title)


def _expire_offer(registration, event, now):
    registration.status = Status.CANCELLED
    registration.offer_expires_at = None
    registration.save(update_fields=["status", "offer_expires_at"])
    _log(registration, "offer_expired")
    _send(registration, "offer_expired")
    _offer_free_places(event, now)


def offers_expire(*, now=None):
    """Move on every offer whose hold has passed. Safe to run as often as you like."""
    now = now or timezone.now()
    expired = 0
    overdue_events = (
        Registration.objects.filter(status=Status.OFFERED, offer_expires_at__lte=now)
        .values_list("event_id", flat=True)
        .distinct()
    )
    for event_id in list(overdue_events):
        with transaction.atomic():
            event = EventPage.objects.select_for_update().get(pk=event_id)
            for registration in Registration.objects.select_for_update().filter(
                event=event, status=Status.OFFERED, offer_expires_at__lte=now
            ):
                _expire_offer(registration, event, now)
                expired += 1
    return expired


def quota_released_places_offer(*, now=None):
    """Once an event's quotas end, offer the places they held back to the people waiting.

    Safe to run as often as you like: an event with no free place offers nothing.
    """
    now = now or timezone.now()
    event_ids = (
        Registration.objects.filter(
            status=Status.WAITING,
            event__quotas_release_at__lte=now,
            event__end__gte=now,
        )
        .values_list("event_id", flat=True)
        .distinct()
    )
    offered = 0
    for event_id in list(event_ids):
        with transaction.atomic():
            event = EventPage.objects.select_for_update().get(pk=event_id)
            offered += len(_offer_free_places(event, now))
    return offered


@transaction.atomic
def registration_change_sessions(*, registration, sessions, actor):
    event = _lock_event(registration.event)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status not in Registration.ACTIVE_STATUSES:
        raise ValidationError("This registration is cancelled.")
    sessions = _check_sessions(event, sessions, exclude_registration=registration)
    registration.sessions.set(sessions)
    registration.calendar_sequence += 1
    registration.save(update_fields=["calendar_sequence"])
    _log(registration, "sessions_changed", actor)
    return registration


def sessions_for(event, session_ids):
    return list(EventSession.objects.filter(event=event, pk__in=session_ids))
