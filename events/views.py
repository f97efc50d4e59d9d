"""Delegates' own pages: register, "My events", offers, cancelling, sessions, ticket, calendar.

Every change goes through ``events.services``; these views only check who is asking, show
forms and turn the services' errors into GOV.UK error messages. An event the user may not
see is answered with 404, as if it did not exist.
"""

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from kx_site.audience import can_view, user_has_verified_email, visibility_q

from . import calendar_feeds, certificates, services
from .calendar import registration_calendar
from .feedback import services as feedback_services
from .forms import RegistrationForm, SessionChoiceForm
from .models import EventMessage, EventPage, EventSession, Registration, SessionFeedback
from .programme import delegate_day
from .quotas import QuotaBook

Status = Registration.Status

REGISTERED_MESSAGES = {
    Status.CONFIRMED: "You are registered for {event}. Your place is confirmed.",
    Status.PENDING_APPROVAL: "You have asked for a place at {event}. It is waiting for the "
    "organiser's approval: we will email you when they have decided.",
    Status.WAITING: "{event} is full, so you are on the waiting list. We will email you if a "
    "place comes up.",
}


def _registered_message(registration, event):
    if getattr(registration, "quota_full", False):
        message = (
            f"{registration.organisation.name} has used up its places at {event.title}, so you "
            "are on the waiting list."
        )
        if event.quotas_release_at:
            release = timezone.localtime(event.quotas_release_at)
            message += (
                f" Unused places open to everyone on {release:%A} {release.day} "
                f"{release:%B %Y} at {release:%H:%M}."
            )
        return message + " We will email you if a place comes up."
    return REGISTERED_MESSAGES[registration.status].format(event=event.title)


def _visible_event(user, event_id):
    event = get_object_or_404(EventPage.objects.live().select_related("venue"), pk=event_id)
    if not can_view(user, event):
        raise Http404
    return event


def _own_registration(user, registration_id):
    registration = get_object_or_404(
        Registration.objects.select_related("event", "event__venue"),
        pk=registration_id,
        user=user,
    )
    if not registration.event.live or not can_view(user, registration.event):
        raise Http404
    return registration


def _sessions_with_places(event):
    sessions = list(
        EventSession.objects.filter(event=event).annotate(
            places_taken=Count(
                "registrations",
                filter=Q(registrations__status__in=Registration.PLACE_STATUSES),
            )
        )
    )
    return sessions, {session.pk: session.places_taken for session in sessions}


@login_required
@require_http_methods(["GET", "POST"])
def register(request, event_id):
    event = _visible_event(request.user, event_id)
    context = {"event": event}
    if not user_has_verified_email(request.user):
        return render(request, "events/register_unavailable.html", {**context, "reason": "email"})
    if not event.registration_is_open():
        return render(request, "events/register_unavailable.html", {**context, "reason": "closed"})
    if (
        request.method == "GET"
        and Registration.objects.filter(
            event=event, user=request.user, status__in=Registration.ACTIVE_STATUSES
        ).exists()
    ):
        messages.info(request, f"You are already registered for {event.title}.")
        return redirect("events:my_events")

    sessions, places_taken = _sessions_with_places(event)
    form = RegistrationForm(
        request.POST if request.method == "POST" else None,
        sessions=sessions,
        places_taken=places_taken,
    )
    if request.method == "POST" and form.is_valid():
        try:
            registration = services.registration_create(
                event=event,
                user=request.user,
                sessions=form.chosen_sessions(),
                dietary_needs=form.cleaned_data["dietary_needs"],
                access_needs=form.cleaned_data["access_needs"],
                on_delegate_list=form.cleaned_data["on_delegate_list"],
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _registered_message(registration, event))
            return redirect("events:my_events")
    context["form"] = form
    context["places_left"] = max(event.capacity - services.places_taken(event), 0)
    context["quota_full"] = QuotaBook(event, timezone.now()).is_full_for(request.user.organisation)
    return render(request, "events/register.html", context)


@login_required
def my_events(request):
    user = request.user
    earlier_in_queue = (
        Registration.objects.filter(event=OuterRef("event"), status=Status.WAITING)
        .filter(
            Q(waiting_since__lt=OuterRef("waiting_since"))
            | Q(waiting_since=OuterRef("waiting_since"), pk__lt=OuterRef("pk"))
        )
        .order_by()
        .values("event")
        .annotate(count=Count("pk"))
        .values("count")
    )
    registrations = (
        Registration.objects.filter(user=user, event__live=True)
        .filter(visibility_q(user, prefix="event__"))
        .distinct()
        .select_related("event", "event__venue", "feedback")
        .prefetch_related(
            # The delegate's day and whether it has a choice (Registration.day,
            # can_change_sessions) come from these two.
            "sessions",
            "event__sessions",
            Prefetch("messages_received", queryset=EventMessage.objects.order_by("-sent_at")),
        )
        .annotate(waiting_ahead=Subquery(earlier_in_queue))
        .order_by("event__start", "created_at")
    )
    now = timezone.now()
    upcoming, past, cancelled = [], [], []
    for registration in registrations:
        if registration.status == Status.WAITING:
            registration.waiting_position = (registration.waiting_ahead or 0) + 1
        if registration.status not in Registration.ACTIVE_STATUSES:
            cancelled.append(registration)
        elif registration.event.end < now:
            # Offer feedback and the certificate only as their own views would allow them now.
            registration.feedback_refusal = feedback_services.feedback_offer_refusal(
                registration, user, now
            )
            registration.feedback_closes_at = feedback_services.feedback_closes_at(
                registration.event
            )
            registration.gave_feedback = hasattr(registration, "feedback")
            registration.certificate_refusal = certificates.certificate_refusal(registration, now)
            past.append(registration)
        else:
            upcoming.append(registration)
    past.reverse()
    return render(
        request,
        "events/my_events.html",
        {
            "upcoming": upcoming,
            "past": past,
            "cancelled": cancelled,
            **calendar_feeds.my_events_feed_context(request),
        },
    )


@login_required
def message(request, message_id):
    """An organiser's message, for the people it was sent to and no one else."""
    message = (
        EventMessage.objects.filter(pk=message_id, recipients__user=request.user)
        .select_related("event")
        .distinct()
        .first()
    )
    if message is None or not message.event.live or not can_view(request.user, message.event):
        raise Http404
    response = render(request, "events/message.html", {"message": message, "event": message.event})
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def accept_offer(request, registration_id):
    registration = _own_registration(request.user, registration_id)
    try:
        services.offer_accept(registration=registration, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"You have accepted the place at {registration.event.title}. Your place is confirmed.",
        )
    return redirect("events:my_events")


@login_required
@require_http_methods(["GET", "POST"])
def cancel(request, registration_id):
    registration = _own_registration(request.user, registration_id)
    if registration.status not in Registration.ACTIVE_STATUSES:
        messages.info(request, "That registration is already cancelled.")
        return redirect("events:my_events")
    error = None
    if request.method == "POST":
        try:
            services.registration_cancel(registration=registration, actor=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(
                request, f"Your registration for {registration.event.title} is cancelled."
            )
            return redirect("events:my_events")
    return render(
        request,
        "events/cancel.html",
        {"registration": registration, "event": registration.event, "error": error},
    )


@login_required
@require_http_methods(["GET", "POST"])
def change_sessions(request, registration_id):
    registration = _own_registration(request.user, registration_id)
    if not registration.can_change_sessions():
        raise Http404
    event = registration.event
    sessions, places_taken = _sessions_with_places(event)
    form = SessionChoiceForm(
        request.POST if request.method == "POST" else None,
        sessions=sessions,
        places_taken=places_taken,
        chosen=registration.sessions.all(),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.registration_change_sessions(
                registration=registration, sessions=form.chosen_sessions(), actor=request.user
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Your sessions at {event.title} have been changed.")
            return redirect("events:my_events")
    return render(
        request,
        "events/change_sessions.html",
        {"registration": registration, "event": event, "form": form},
    )


@login_required
def ticket(request, registration_id):
    registration = _own_registration(request.user, registration_id)
    if registration.status != Status.CONFIRMED:
        raise Http404
    # The QR code holds the short code the ticket shows: check-in takes it typed or scanned.
    # make_qr, not make: segno would draw so short a text as a Micro QR code, which phone
    # cameras and BarcodeDetector do not read.
    qr_code = segno.make_qr(registration.short_code, error="m").svg_inline(
        scale=8,  # The short code makes a small (21-module) code: drawn larger, it scans sooner.
        border=4,
        dark="#0b0c0c",
        light="#ffffff",
        svgclass="kx-ticket-qr",
        lineclass=None,
    )
    # segno writes a bare <svg>: name it for assistive technology.
    qr_code = qr_code.replace(
        "<svg ",
        f'<svg role="img" aria-label="QR code for checking in: ticket {registration.short_code}" ',
        1,
    )
    # The delegate's day: the plenaries and the sessions they chose.
    sessions = delegate_day(
        EventSession.objects.filter(event=registration.event), registration.sessions.all()
    )
    return render(
        request,
        "events/ticket.html",
        {
            "registration": registration,
            "event": registration.event,
            "sessions": sessions,
            "qr_code": qr_code,
        },
    )


@login_required
def calendar_file(request, registration_id):
    registration = _own_registration(request.user, registration_id)
    if registration.status != Status.CONFIRMED:
        raise Http404
    response = HttpResponse(
        registration_calendar(registration), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{registration.event.slug}.ics"'
    return response


def _my_feedback(registration):
    feedback = getattr(registration, "feedback", None)
    if feedback is None:
        return None
    return {
        "overall_rating": feedback.overall_rating,
        "practice_change": feedback.practice_change,
        "comments": feedback.comments,
        "submitted_at": feedback.submitted_at,
        "sessions": [
            {"title": rating.session.title, "usefulness": rating.usefulness}
            for rating in feedback.session_ratings.all()
        ],
    }


@login_required
def my_data(request):
    """The signed-in user's own data as a JSON download: account and every registration."""
    import json

    from django.core.serializers.json import DjangoJSONEncoder

    user = request.user
    registrations = (
        Registration.objects.filter(user=user)
        .select_related("event", "organisation", "feedback", "certificate")
        .prefetch_related(
            Prefetch("sessions", queryset=EventSession.objects.order_by("start")),
            Prefetch(
                "feedback__session_ratings",
                queryset=SessionFeedback.objects.select_related("session").order_by(
                    "session__start"
                ),
            ),
        )
        .order_by("created_at", "pk")
    )
    data = {
        "exported_at": timezone.now(),
        "account": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "role": user.job_title,
            "organisation": user.organisation.name if user.organisation_id else None,
            "verified_at": user.verified_at,
            "verification_method": user.get_verification_method_display() or None,
            "date_joined": user.date_joined,
        },
        "registrations": [
            {
                "event": registration.event.title,
                "event_start": registration.event.start,
                "event_end": registration.event.end,
                "status": registration.get_status_display(),
                "registered_at": registration.created_at,
                "organisation": registration.organisation.name
                if registration.organisation_id
                else None,
                "role": registration.job_title,
                "sessions": [
                    {"title": session.title, "start": session.start, "end": session.end}
                    for session in registration.sessions.all()
                ],
                "dietary_needs": registration.dietary_needs,
                "access_needs": registration.access_needs,
                "on_delegate_list": registration.on_delegate_list,
                "waiting_since": registration.waiting_since,
                "offer_expires_at": registration.offer_expires_at,
                "checked_in_at": registration.checked_in_at,
                "ticket_code": registration.ticket_code,
                "ticket_short_code": registration.short_code,
                "feedback": _my_feedback(registration),
                "certificate_reference": getattr(
                    getattr(registration, "certificate", None), "reference", None
                ),
            }
            for registration in registrations
        ],
    }
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="kx-my-data.json"'
    response["Cache-Control"] = "no-store"
    return response
