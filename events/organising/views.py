"""The organisers' tools in the Wagtail admin: delegates, exports, approval, check-in, summary.

Only superusers and members of the "Event organisers" group may use them; the delegate list
shows dietary and access needs, which no one else may see.
"""

import csv
import io

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.models import Organisation, OrganisationKind

from ..models import EventPage, EventSession, Registration
from ..permissions import organisers_only
from . import services as organiser_services

PAGE_SIZE = 50
Status = Registration.Status

# Characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _get_event(request, event_id):
    return get_object_or_404(EventPage, pk=event_id)


def _local(moment, fmt="%Y-%m-%d %H:%M"):
    return timezone.localtime(moment).strftime(fmt) if moment else ""


def filtered_registrations(event, params):
    """The event's registrations, searched (``q``) and filtered (``status``) as asked."""
    registrations = (
        Registration.objects.filter(event=event)
        .select_related("user", "organisation")
        .prefetch_related(
            Prefetch("sessions", queryset=EventSession.objects.order_by("start", "sort_order"))
        )
        .order_by("user__last_name", "user__first_name", "pk")
    )
    query = params.get("q", "").strip()
    for word in query.split():
        registrations = registrations.filter(
            Q(user__first_name__icontains=word)
            | Q(user__last_name__icontains=word)
            | Q(user__email__icontains=word)
            | Q(organisation__name__icontains=word)
        )
    status = params.get("status", "")
    if status in Status.values:
        registrations = registrations.filter(status=status)
    return registrations, query, status if status in Status.values else ""


@organisers_only
def index(request):
    events = (
        EventPage.objects.filter(end__gte=timezone.now())
        .order_by("start")
        .annotate(
            confirmed=Count("registrations", filter=Q(registrations__status=Status.CONFIRMED)),
            pending=Count(
                "registrations", filter=Q(registrations__status=Status.PENDING_APPROVAL)
            ),
            waiting=Count("registrations", filter=Q(registrations__status=Status.WAITING)),
        )
    )
    return TemplateResponse(request, "events/admin/index.html", {"events": events})


@organisers_only
def delegates(request, event_id):
    event = _get_event(request, event_id)
    registrations, query, status = filtered_registrations(event, request.GET)
    page = Paginator(registrations, PAGE_SIZE).get_page(request.GET.get("p"))
    filters = request.GET.copy()
    filters.pop("p", None)
    return TemplateResponse(
        request,
        "events/admin/delegates.html",
        {
            "event": event,
            "page": page,
            "query": query,
            "status": status,
            "statuses": Status.choices,
            "filters": filters.urlencode(),
        },
    )


EXPORT_HEADERS = [
    "Name",
    "Email",
    "Organisation",
    "Role",
    "Status",
    # The code on the delegate's ticket, for checking people in from a printed list.
    "Ticket",
    "Sessions",
    "Checked in",
    "Dietary needs",
    "Access needs",
    "On delegate list",
    "Registered",
]


def safe_cell(value):
    """Stop a spreadsheet from running a delegate's text as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def export_rows(registrations):
    for registration in registrations:
        row = [
            registration.user.get_full_name(),
            registration.user.email,
            registration.organisation.name if registration.organisation else "",
            registration.job_title,
            registration.get_status_display(),
            registration.short_code,
            "; ".join(session.title for session in registration.sessions.all()),
            _local(registration.checked_in_at),
            registration.dietary_needs,
            registration.access_needs,
            "Yes" if registration.on_delegate_list else "No",
            _local(registration.created_at),
        ]
        yield [safe_cell(value) for value in row]


def _attachment(response, event, extension):
    response["Content-Disposition"] = f'attachment; filename="delegates-{event.slug}.{extension}"'
    return response


@organisers_only
def export_csv(request, event_id):
    event = _get_event(request, event_id)
    registrations, _query, _status = filtered_registrations(event, request.GET)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    # A byte-order mark so that Excel reads the file as UTF-8.
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(EXPORT_HEADERS)
    writer.writerows(export_rows(registrations))
    return _attachment(response, event, "csv")


@organisers_only
def export_xlsx(request, event_id):
    from openpyxl import Workbook

    event = _get_event(request, event_id)
    registrations, _query, _status = filtered_registrations(event, request.GET)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Delegates"
    sheet.append(EXPORT_HEADERS)
    for row in export_rows(registrations):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    return _attachment(response, event, "xlsx")


def _back(request, event):
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return redirect(next_url)
    return redirect("events_organiser_delegates", event.pk)


@organisers_only
@require_POST
def decide(request, event_id, registration_id, decision):
    event = _get_event(request, event_id)
    if decision not in ("approve", "decline"):
        raise Http404
    registration = get_object_or_404(
        Registration.objects.select_related("user", "event"), pk=registration_id, event=event
    )
    name = registration.user.get_full_name() or registration.user.email
    try:
        if decision == "approve":
            organiser_services.registration_approve(registration=registration, actor=request.user)
            messages.success(request, f"{name}’s place is approved.")
        else:
            organiser_services.registration_decline(registration=registration, actor=request.user)
            messages.success(request, f"{name}’s registration is declined.")
    except ValidationError as error:
        messages.error(request, error.messages[0])
    return _back(request, event)


@organisers_only
def check_in(request, event_id):
    event = _get_event(request, event_id)
    if request.method == "POST":
        try:
            result = organiser_services.registration_check_in(
                event=event, ticket_code=request.POST.get("ticket_code", ""), actor=request.user
            )
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            registration = result.registration
            name = registration.user.get_full_name() or registration.user.email
            if result.already_checked_in:
                at = _local(registration.checked_in_at, "%H:%M")
                messages.warning(request, f"{name} was already checked in at {at}.")
            else:
                messages.success(request, f"{name} is checked in.")
        return redirect("events_organiser_check_in", event.pk)

    query = request.GET.get("q", "").strip()
    matches = None
    if query:
        matches, _query, _status = filtered_registrations(event, {"q": query})
        matches = matches[:20]
    counts = Registration.objects.filter(event=event, status=Status.CONFIRMED).aggregate(
        confirmed=Count("pk"), checked_in=Count("pk", filter=Q(checked_in_at__isnull=False))
    )
    return TemplateResponse(
        request,
        "events/admin/check_in.html",
        {"event": event, "query": query, "matches": matches, **counts},
    )


class MessageForm(forms.Form):
    audience = forms.ChoiceField(
        label="Send to",
        choices=[
            (value, label)
            for value, (label, _statuses) in organiser_services.MESSAGE_AUDIENCES.items()
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who the message is for."},
    )
    subject = forms.CharField(
        label="Subject", max_length=150, error_messages={"required": "Enter a subject."}
    )
    body = forms.CharField(
        label="Message",
        widget=forms.Textarea(attrs={"rows": 10}),
        error_messages={"required": "Enter the message."},
    )


@organisers_only
def message(request, event_id):
    event = _get_event(request, event_id)
    form = MessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sent = organiser_services.event_message_send(
                event=event, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            for field, field_errors in error.message_dict.items():
                for field_error in field_errors:
                    form.add_error(field if field in form.fields else None, field_error)
        else:
            label = organiser_services.MESSAGE_AUDIENCES[form.cleaned_data["audience"]][0]
            if sent:
                messages.success(
                    request,
                    f"Message sent to {sent} {'person' if sent == 1 else 'people'} "
                    f"({label.lower()}).",
                )
            else:
                messages.warning(request, f"No one to send to: {label.lower()} is empty.")
            return redirect("events_organiser_message", event.pk)
    counts = Registration.objects.filter(event=event).aggregate(
        confirmed=Count("pk", filter=Q(status=Status.CONFIRMED)),
        waiting=Count("pk", filter=Q(status=Status.WAITING)),
    )
    sent_messages = (
        event.messages.select_related("sent_by")
        .annotate(recipient_count=Count("recipients"))
        .order_by("-sent_at", "-pk")
    )
    return TemplateResponse(
        request,
        "events/admin/message.html",
        {"event": event, "form": form, "counts": counts, "sent_messages": sent_messages},
        status=400 if form.errors else 200,
    )


class CancelEventForm(forms.Form):
    reason = forms.CharField(
        label="Reason to give delegates",
        help_text="Sent to every delegate and shown on the event page. Say if it will be held "
        "again and when, if you know.",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Enter the reason to give delegates."},
    )


@organisers_only
def cancel_event(request, event_id):
    """Ask for a reason and confirmation, then cancel the event and tell every delegate."""
    event = _get_event(request, event_id)
    form = CancelEventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            told = organiser_services.event_cancel(
                event=event, reason=form.cleaned_data["reason"], actor=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"{event.title} is cancelled. {told} "
                f"{'delegate was' if told == 1 else 'delegates were'} told by email.",
            )
            return redirect("events_organiser_delegates", event.pk)
    active = Registration.objects.filter(
        event=event, status__in=Registration.ACTIVE_STATUSES
    ).count()
    return TemplateResponse(
        request,
        "events/admin/cancel_event.html",
        {"event": event, "form": form, "active": active},
        status=400 if form.errors else 200,
    )


def summary_counts(event):
    return Registration.objects.filter(event=event).aggregate(
        confirmed=Count("pk", filter=Q(status=Status.CONFIRMED)),
        pending=Count("pk", filter=Q(status=Status.PENDING_APPROVAL)),
        waiting=Count("pk", filter=Q(status=Status.WAITING)),
        offered=Count("pk", filter=Q(status=Status.OFFERED)),
        cancelled=Count("pk", filter=Q(status=Status.CANCELLED)),
        declined=Count("pk", filter=Q(status=Status.DECLINED)),
        checked_in=Count("pk", filter=Q(checked_in_at__isnull=False)),
    )


def represented_organisations(event):
    """Distinct organisations of confirmed delegates, grouped by kind, with the totals."""
    organisations = Organisation.objects.filter(
        pk__in=Registration.objects.filter(event=event, status=Status.CONFIRMED).values(
            "organisation_id"
        )
    ).order_by("name")
    totals = dict(Organisation.objects.values_list("kind").annotate(total=Count("pk")).order_by())
    groups = []
    for kind, label in OrganisationKind.choices:
        members = [organisation for organisation in organisations if organisation.kind == kind]
        groups.append(
            {"kind": kind, "label": label, "organisations": members, "total": totals.get(kind, 0)}
        )
    return groups


@organisers_only
def summary(request, event_id):
    event = _get_event(request, event_id)
    groups = represented_organisations(event)
    by_kind = {group["kind"]: group for group in groups}
    return TemplateResponse(
        request,
        "events/admin/summary.html",
        {
            "event": event,
            "counts": summary_counts(event),
            "groups": groups,
            "forces": by_kind[OrganisationKind.POLICE_FORCE],
            "regions": by_kind[OrganisationKind.PROBATION_REGION],
        },
    )


def event_links(event):
    return {
        "delegates": reverse("events_organiser_delegates", args=[event.pk]),
        "check_in": reverse("events_organiser_check_in", args=[event.pk]),
        "summary": reverse("events_organiser_summary", args=[event.pk]),
        "message": reverse("events_organiser_message", args=[event.pk]),
    }
