"""The organisers' tools in the Wagtail admin: delegates, exports, approval, check-in, messages,
cancelling an event, the summary.

Class-based views on Wagtail's admin framework, gathered into ``OrganisingViewSet``
(``events.organising.viewsets``). Only holders of the ``events.organise_events`` permission
(``events.permissions.organiser_policy``) may use them; the delegate list shows dietary and
access needs, which no one else may see.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.defaults import permission_denied as django_permission_denied
from django.views.generic import FormView, TemplateView, View
from wagtail.admin.views.generic import PermissionCheckedMixin, WagtailAdminTemplateMixin
from wagtail.admin.views.reports import ReportView

from accounts.models import Organisation, OrganisationKind

from ..models import EventPage, EventSession, Registration
from ..permissions import ORGANISE, organiser_policy
from . import services as organiser_services

PAGE_SIZE = 50
Status = Registration.Status

# Characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _local(moment, fmt="%Y-%m-%d %H:%M"):
    return timezone.localtime(moment).strftime(fmt) if moment else ""


def url_name(view_name):
    """The namespaced URL name of one of the organisers' tools (``OrganisingViewSet``)."""
    return f"events_organising:{view_name}"


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


class OrganiserPermissionMixin(PermissionCheckedMixin):
    """Wagtail's permission check, by ``organiser_policy``, before anything else is read.

    Wagtail's admin turns a raised PermissionDenied into a redirect to the dashboard; a plain 403
    says more clearly that these pages are not for this member.
    """

    permission_policy = organiser_policy
    permission_required = ORGANISE

    def dispatch(self, request, *args, **kwargs):
        if not self.user_has_permission(self.permission_required):
            return django_permission_denied(request, PermissionDenied())
        return super().dispatch(request, *args, **kwargs)


class EventMixin(OrganiserPermissionMixin):
    """A tool for one event, ``event_id`` in the URL; read only once the permission is checked."""

    @cached_property
    def event(self):
        return get_object_or_404(EventPage, pk=self.kwargs["event_id"])

    def get_page_subtitle(self):
        return self.event.title

    def get_context_data(self, **kwargs):
        return super().get_context_data(event=self.event, **kwargs)


class OrganiserTemplateView(WagtailAdminTemplateMixin, TemplateView):
    pass


class EventListView(OrganiserPermissionMixin, OrganiserTemplateView):
    """Upcoming events, with links to each one's tools."""

    template_name = "events/admin/index.html"
    page_title = "Event organising"
    header_icon = "date"

    def get_context_data(self, **kwargs):
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
        return super().get_context_data(events=events, **kwargs)


def safe_cell(value):
    """Stop a spreadsheet from running a delegate's text as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


class DelegateReportView(EventMixin, ReportView):
    """One event's registrations, searched and filtered; exported (``?export=csv`` or ``xlsx``)
    with the same search and filter by Wagtail's ReportView."""

    template_name = "events/admin/delegates.html"
    page_title = "Delegates"
    header_icon = "group"
    paginate_by = PAGE_SIZE

    # The columns of the exports, each a key of ``to_row_dict`` with its heading.
    export_headings = {
        "name": "Name",
        "email": "Email",
        "organisation": "Organisation",
        "role": "Role",
        "status": "Status",
        # The code on the delegate's ticket, for checking people in from a printed list.
        "ticket": "Ticket",
        "sessions": "Sessions",
        "checked_in": "Checked in",
        "dietary_needs": "Dietary needs",
        "access_needs": "Access needs",
        "on_delegate_list": "On delegate list",
        "registered": "Registered",
    }
    list_export = list(export_headings)
    # Every cell is text; each is defused, in both formats, before it is written.
    custom_value_preprocess = {
        str: {ReportView.FORMAT_CSV: safe_cell, ReportView.FORMAT_XLSX: safe_cell},
    }

    @cached_property
    def filtered(self):
        return filtered_registrations(self.event, self.request.GET)

    def get_base_queryset(self):
        return self.filtered[0]

    def get_filename(self):
        return f"delegates-{self.event.slug}"

    def to_row_dict(self, registration):
        return {
            "name": registration.user.get_full_name(),
            "email": registration.user.email,
            "organisation": registration.organisation.name if registration.organisation else "",
            "role": registration.job_title,
            "status": registration.get_status_display(),
            "ticket": registration.short_code,
            "sessions": "; ".join(session.title for session in registration.sessions.all()),
            "checked_in": _local(registration.checked_in_at),
            "dietary_needs": registration.dietary_needs,
            "access_needs": registration.access_needs,
            "on_delegate_list": "Yes" if registration.on_delegate_list else "No",
            "registered": _local(registration.created_at),
        }

    def stream_csv(self, queryset):
        # A byte-order mark so that Excel reads the file as UTF-8.
        yield "\ufeff"
        yield from super().stream_csv(queryset)

    def get_context_data(self, **kwargs):
        _registrations, query, status = self.filtered
        params = self.request.GET.copy()
        params.pop(self.page_kwarg, None)
        params.pop("export", None)
        return super().get_context_data(
            query=query,
            status=status,
            statuses=Status.choices,
            filter_params=params.urlencode(),
            **kwargs,
        )


class DecideView(EventMixin, View):
    """Approve or decline a registration waiting for the organiser's approval."""

    http_method_names = ["post"]

    def post(self, request, event_id, registration_id, decision):
        if decision not in ("approve", "decline"):
            raise Http404
        registration = get_object_or_404(
            Registration.objects.select_related("user", "event"),
            pk=registration_id,
            event=self.event,
        )
        name = registration.user.get_full_name() or registration.user.email
        try:
            if decision == "approve":
                organiser_services.registration_approve(
                    registration=registration, actor=request.user
                )
                messages.success(request, f"{name}’s place is approved.")
            else:
                organiser_services.registration_decline(
                    registration=registration, actor=request.user
                )
                messages.success(request, f"{name}’s registration is declined.")
        except ValidationError as error:
            messages.error(request, error.messages[0])
        next_url = request.POST.get("next", "")
        if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
            return redirect(next_url)
        return redirect(url_name("delegates"), self.event.pk)


class CheckInView(EventMixin, OrganiserTemplateView):
    """Check delegates in at the door: a ticket code typed or scanned, or a name searched."""

    template_name = "events/admin/check_in.html"
    page_title = "Check-in"
    header_icon = "tick"

    def post(self, request, *args, **kwargs):
        try:
            result = organiser_services.registration_check_in(
                event=self.event,
                ticket_code=request.POST.get("ticket_code", ""),
                actor=request.user,
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
        return redirect(url_name("check_in"), self.event.pk)

    def get_context_data(self, **kwargs):
        query = self.request.GET.get("q", "").strip()
        matches = None
        if query:
            matches, _query, _status = filtered_registrations(self.event, {"q": query})
            matches = matches[:20]
        counts = Registration.objects.filter(event=self.event, status=Status.CONFIRMED).aggregate(
            confirmed=Count("pk"), checked_in=Count("pk", filter=Q(checked_in_at__isnull=False))
        )
        return super().get_context_data(query=query, matches=matches, **counts, **kwargs)


class OrganiserFormView(WagtailAdminTemplateMixin, FormView):
    """A form for one event; answered with status 400 when it has errors."""

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


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


class MessageView(EventMixin, OrganiserFormView):
    """Write to the event's delegates, and the messages sent before."""

    template_name = "events/admin/message.html"
    page_title = "Message delegates"
    header_icon = "mail"
    form_class = MessageForm

    def form_valid(self, form):
        try:
            sent = organiser_services.event_message_send(
                event=self.event, actor=self.request.user, **form.cleaned_data
            )
        except ValidationError as error:
            for field, field_errors in error.message_dict.items():
                for field_error in field_errors:
                    form.add_error(field if field in form.fields else None, field_error)
            return self.form_invalid(form)
        label = organiser_services.MESSAGE_AUDIENCES[form.cleaned_data["audience"]][0]
        if sent:
            messages.success(
                self.request,
                f"Message sent to {sent} {'person' if sent == 1 else 'people'} ({label.lower()}).",
            )
        else:
            messages.warning(self.request, f"No one to send to: {label.lower()} is empty.")
        return redirect(url_name("message"), self.event.pk)

    def get_context_data(self, **kwargs):
        counts = Registration.objects.filter(event=self.event).aggregate(
            confirmed=Count("pk", filter=Q(status=Status.CONFIRMED)),
            waiting=Count("pk", filter=Q(status=Status.WAITING)),
        )
        sent_messages = (
            self.event.messages.select_related("sent_by")
            .annotate(recipient_count=Count("recipients"))
            .order_by("-sent_at", "-pk")
        )
        return super().get_context_data(counts=counts, sent_messages=sent_messages, **kwargs)


class CancelEventForm(forms.Form):
    reason = forms.CharField(
        label="Reason to give delegates",
        help_text="Sent to every delegate and shown on the event page. Say if it will be held "
        "again and when, if you know.",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Enter the reason to give delegates."},
    )


class CancelEventView(EventMixin, OrganiserFormView):
    """Ask for a reason and confirmation, then cancel the event and tell every delegate."""

    template_name = "events/admin/cancel_event.html"
    page_title = "Cancel event"
    header_icon = "warning"
    form_class = CancelEventForm

    def form_valid(self, form):
        try:
            told = organiser_services.event_cancel(
                event=self.event, reason=form.cleaned_data["reason"], actor=self.request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"{self.event.title} is cancelled. {told} "
            f"{'delegate was' if told == 1 else 'delegates were'} told by email.",
        )
        return redirect(url_name("delegates"), self.event.pk)

    def get_context_data(self, **kwargs):
        active = Registration.objects.filter(
            event=self.event, status__in=Registration.ACTIVE_STATUSES
        ).count()
        return super().get_context_data(active=active, **kwargs)


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


class SummaryView(EventMixin, OrganiserTemplateView):
    """Registrations by status, check-ins, and the organisations represented."""

    template_name = "events/admin/summary.html"
    page_title = "Summary"
    header_icon = "list-ul"

    def get_context_data(self, **kwargs):
        groups = represented_organisations(self.event)
        by_kind = {group["kind"]: group for group in groups}
        return super().get_context_data(
            counts=summary_counts(self.event),
            groups=groups,
            forces=by_kind[OrganisationKind.POLICE_FORCE],
            regions=by_kind[OrganisationKind.PROBATION_REGION],
            **kwargs,
        )
