"""The verification queue in the Wagtail admin."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods

from . import services
from .models import VerificationRequest
from .permissions import has_staff_perm

DECIDE_PERMISSION = "accounts.change_verificationrequest"


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", "Approve"), ("refuse", "Refuse")], widget=forms.RadioSelect
    )
    note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Sent to the member. Required when refusing.",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "refuse" and not cleaned.get("note"):
            self.add_error("note", "Say why the request is refused.")
        return cleaned


def _check_permission(request):
    if not has_staff_perm(request.user, DECIDE_PERMISSION):
        raise PermissionDenied


def queue(request):
    _check_permission(request)
    pending = VerificationRequest.objects.filter(
        status=VerificationRequest.Status.PENDING
    ).select_related("user", "organisation")
    decided = (
        VerificationRequest.objects.exclude(status=VerificationRequest.Status.PENDING)
        .select_related("user", "organisation", "decided_by")
        .order_by("-decided_at")[:20]
    )
    return TemplateResponse(
        request,
        "accounts/admin/verification_queue.html",
        {"pending": pending, "decided": decided},
    )


@require_http_methods(["GET", "POST"])
def decide(request, pk):
    _check_permission(request)
    verification_request = get_object_or_404(
        VerificationRequest.objects.select_related("user", "organisation"), pk=pk
    )
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.verification_request_decide(
                verification_request=verification_request,
                approve=form.cleaned_data["decision"] == "approve",
                decided_by=request.user,
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, f"Decision recorded for {verification_request.user}.")
        return redirect("accounts_verification_queue")
    return TemplateResponse(
        request,
        "accounts/admin/verification_decide.html",
        {"verification_request": verification_request, "form": form},
    )
