"""Feedback and certificates of attendance for delegates; the feedback report for organisers.

A registration that is not the user's own, or whose event they may no longer see, is a 404 (as in
events.views); one whose delegate did not attend gets a page that says why, with status 403.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_http_methods
from django.views.generic import TemplateView
from wagtail.admin.views.generic import BaseListingView, WagtailAdminTemplateMixin

from .. import certificates
from ..maintenance import retention_days
from ..models import EventPage, FeedbackResponse, Registration
from ..organising.views import PAGE_SIZE, EventMixin, OrganiserPermissionMixin
from ..views import _own_registration
from . import services as feedback_services
from .forms import FeedbackForm
from .report import feedback_report


def _unavailable(request, registration, reason, what):
    return render(
        request,
        "events/feedback_unavailable.html",
        {
            "registration": registration,
            "event": registration.event,
            "reason": reason,
            "what": what,
            "closes_at": feedback_services.feedback_closes_at(registration.event),
        },
        status=403,
    )


@login_required
@require_http_methods(["GET", "POST"])
def feedback(request, registration_id):
    registration = _own_registration(request.user, registration_id)
    refusal = feedback_services.feedback_offer_refusal(registration, request.user)
    if refusal:
        return _unavailable(request, registration, refusal, "feedback")

    event = registration.event
    closes_at = feedback_services.feedback_closes_at(event)
    sessions = feedback_services.sessions_attended(registration)
    response = (
        FeedbackResponse.objects.filter(registration=registration)
        .prefetch_related("session_ratings")
        .first()
    )
    form = FeedbackForm(
        request.POST if request.method == "POST" else None, sessions=sessions, response=response
    )
    if request.method == "POST" and form.is_valid():
        try:
            feedback_services.feedback_submit(
                registration=registration,
                overall_rating=form.cleaned_data["overall_rating"],
                practice_change=form.cleaned_data["practice_change"],
                comments=form.cleaned_data["comments"],
                session_ratings=form.session_ratings(),
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                f"Thank you for your feedback on {event.title}. You can change it until "
                f"{date_format(timezone.localtime(closes_at), 'j F Y')}.",
            )
            return redirect("events:my_events")
    return render(
        request,
        "events/feedback.html",
        {
            "registration": registration,
            "event": event,
            "form": form,
            "response": response,
            "closes_at": closes_at,
        },
    )


@login_required
def certificate(request, registration_id):
    registration = _own_registration(request.user, registration_id)
    refusal = certificates.certificate_refusal(registration)
    if refusal:
        return _unavailable(request, registration, refusal, "certificate")
    issued = certificates.certificate_issue(registration=registration)
    issued.registration = registration
    response = HttpResponse(certificates.certificate_pdf(issued), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="certificate-{registration.event.slug}.pdf"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


def certificate_check(request, reference=None):
    """Public: is this certificate reference genuine? Says what the certificate says."""
    error = None
    if reference is None and "reference" in request.GET:
        typed = certificates.normalise_reference(request.GET["reference"])
        if typed:
            return redirect("events:certificate_check", reference=typed)
        error = "Enter the certificate reference"
    found = certificates.certificate_lookup(reference) if reference else None
    response = render(
        request,
        "events/certificate_check.html",
        {
            "reference": reference,
            "error": error,
            "certificate": found,
            "event_dates": certificates.event_dates(found.registration.event) if found else "",
        },
        status=404 if reference and found is None else 200,
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


class FeedbackIndexView(OrganiserPermissionMixin, BaseListingView):
    """Events that have ended, most recent first, with their feedback numbers."""

    template_name = "events/admin/feedback_index.html"
    page_title = "Event feedback"
    header_icon = "doc-full"
    paginate_by = PAGE_SIZE

    def get_base_queryset(self):
        return (
            EventPage.objects.filter(end__lt=timezone.now())
            .order_by("-end", "-pk")
            .annotate(
                attended=Count(
                    "registrations",
                    filter=Q(
                        registrations__status=Registration.Status.CONFIRMED,
                        registrations__checked_in_at__isnull=False,
                    ),
                    distinct=True,
                ),
                responses=Count("feedback_responses", distinct=True),
            )
        )


class FeedbackReportView(EventMixin, WagtailAdminTemplateMixin, TemplateView):
    """One event's feedback: the numbers, the ratings of each session, the comments."""

    template_name = "events/admin/feedback_report.html"
    page_title = "Feedback"
    header_icon = "doc-full"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            retention_days=retention_days(), **feedback_report(self.event), **kwargs
        )
