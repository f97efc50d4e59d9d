"""What organisers do to registrations: approve, decline, check in and message delegates.

Like events/services.py, every change locks the event's row (check-in locks the registration),
is logged with the organiser who made it, and queues its email to go after the commit.
"""

import re
import uuid
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from kx_site.notifications import queue_email

from ..certificates import REFERENCE_ALPHABET
from ..models import (
    TICKET_SHORT_CODE_LENGTH,
    EventMessage,
    Registration,
    ticket_short_code_text,
)
from ..services import _lock_event, _log, _offer_free_places, _send, _tell_delegates

Status = Registration.Status


def _pending_registration(registration):
    registration = (
        Registration.objects.select_for_update()
        .select_related("user", "event")
        .get(pk=registration.pk)
    )
    if registration.status != Status.PENDING_APPROVAL:
        raise ValidationError("This registration is not waiting for approval.")
    return registration


@transaction.atomic
def registration_approve(*, registration, actor):
    """Confirm a place that was waiting for the organiser's approval."""
    _lock_event(registration.event)
    registration = _pending_registration(registration)
    registration.status = Status.CONFIRMED
    registration.save(update_fields=["status"])
    _log(registration, "approved", actor)
    _send(registration, "approved", calendar=True)
    return registration


@transaction.atomic
def registration_decline(*, registration, actor, now=None):
    """Refuse a pending place; the place it held goes to the waiting list."""
    event = _lock_event(registration.event)
    now = now or timezone.now()
    registration = _pending_registration(registration)
    registration.status = Status.DECLINED
    registration.save(update_fields=["status"])
    _log(registration, "declined", actor)
    _send(registration, "declined")
    _offer_free_places(event, now)
    return registration


class CheckInResult(NamedTuple):
    registration: Registration
    already_checked_in: bool


def parse_ticket_code(value):
    """The lookup for a ticket code as typed or scanned: ``{"short_code": ...}`` or, for a
    ticket shown before short codes (its QR code holds the UUID), ``{"ticket_code": ...}``.

    Short codes are taken in either case, with or without spaces and dashes ("7kqm x3rd").
    """
    text = str(value).strip()
    # Phones' keyboards may turn a typed dash into an en or em dash.
    squeezed = re.sub("[\\s\\-\u2010\u2011\u2013\u2014]", "", text).upper()
    if len(squeezed) == TICKET_SHORT_CODE_LENGTH and set(squeezed) <= set(REFERENCE_ALPHABET):
        return {"short_code": ticket_short_code_text(squeezed)}
    try:
        return {"ticket_code": uuid.UUID(text)}
    except ValueError:
        raise ValidationError(
            "That is not a ticket code. Type the 8-character code under the QR code, "
            "or scan it again."
        ) from None


@transaction.atomic
def registration_check_in(*, event, ticket_code, actor, now=None):
    """Mark a confirmed delegate as attended. A second scan changes nothing."""
    lookup = parse_ticket_code(ticket_code)
    registration = (
        Registration.objects.select_for_update()
        .filter(event=event, **lookup)
        .select_related("user")
        .first()
    )
    if registration is None:
        raise ValidationError("No ticket with this code for this event.")
    if registration.status != Status.CONFIRMED:
        raise ValidationError(
            f"{registration.user.get_full_name() or registration.user.email} cannot be checked "
            f"in: their registration is “{registration.get_status_display()}”."
        )
    if registration.checked_in_at is not None:
        return CheckInResult(registration, True)
    registration.checked_in_at = now or timezone.now()
    registration.save(update_fields=["checked_in_at"])
    _log(registration, "checked_in", actor)
    return CheckInResult(registration, False)


# Who an organiser's message can go to: the audience's value, its label, and the statuses in it.
MESSAGE_AUDIENCES = {
    "confirmed": ("Confirmed delegates", [Status.CONFIRMED]),
    "waiting": ("The waiting list", [Status.WAITING]),
}


def message_recipients(event, audience):
    if audience not in MESSAGE_AUDIENCES:
        raise ValidationError({"audience": "Choose who the message is for."})
    _label, statuses = MESSAGE_AUDIENCES[audience]
    return (
        Registration.objects.filter(event=event, status__in=statuses)
        .select_related("user", "event")
        .order_by("pk")
    )


@transaction.atomic
def event_message_send(*, event, audience, subject, body, actor):
    """Email one message from the organisers to each confirmed delegate, or each person on the
    waiting list, keep it for them to read on KX, and log it on every registration. Returns how
    many were sent.

    An OFFICIAL-SENSITIVE event's message is never put in an email: the email gives only the
    event's title and a link to the message on KX, where only its recipients may read it.
    """
    subject = " ".join((subject or "").split())
    body = (body or "").strip()
    errors = {}
    if audience not in MESSAGE_AUDIENCES:
        errors["audience"] = "Choose who the message is for."
    if not subject:
        errors["subject"] = "Enter a subject."
    if not body:
        errors["body"] = "Enter the message."
    if errors:
        raise ValidationError(errors)
    recipients = list(message_recipients(event, audience))
    if not recipients:
        return 0
    message = EventMessage.objects.create(
        event=event,
        audience=audience,
        subject=subject,
        body=body,
        sent_at=timezone.now(),
        sent_by=actor,
    )
    message.recipients.set(recipients)
    sent = 0
    for registration in recipients:
        queue_email(
            template_name="events/organiser_message",
            to=registration.user.email,
            context={
                "registration": registration,
                "event": event,
                "subject": subject,
                "body": "" if event.is_sensitive else body,
                "message_url": reverse("events:message", args=[message.pk]),
            },
        )
        _log(registration, "organiser_message", actor, subject=subject)
        sent += 1
    return sent


@transaction.atomic
def event_cancel(*, event, reason, actor, now=None):
    """Call the event off: registration closes, every active registration (confirmed, waiting,
    offered, awaiting approval) is cancelled, and each delegate gets one email with a
    METHOD:CANCEL calendar file for the entry they hold (same UID, higher SEQUENCE), so that
    their calendar program removes it. Returns how many delegates were told."""
    from ..models import EventCancellation

    reason = reason.strip()
    if not reason:
        raise ValidationError("Enter the reason to give delegates")
    event = _lock_event(event)
    now = now or timezone.now()
    if EventCancellation.objects.filter(event=event).exists():
        raise ValidationError("This event is already cancelled.")
    if event.end < now:
        raise ValidationError("This event has already taken place.")
    event.cancellation = EventCancellation.objects.create(
        event=event, reason=reason, cancelled_at=now, cancelled_by=actor
    )
    told = list(
        Registration.objects.filter(event=event, status__in=Registration.ACTIVE_STATUSES)
        .select_related("user")
        .order_by("pk")
    )
    for registration in told:
        registration.status = Status.CANCELLED
        registration.offer_expires_at = None
    return _tell_delegates(
        told,
        event=event,
        fields=["status", "offer_expires_at"],
        action="event_cancelled",
        actor=actor,
        template_name="event_cancelled",
        method="CANCEL",
        cancelled=True,
        context={"reason": reason},
    )
