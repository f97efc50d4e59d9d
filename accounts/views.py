from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from . import services
from .forms import ChooseOrganisationForm, ProfileForm, ReconfirmForm, VerificationRequestForm
from .models import VerificationRequest


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    user = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            services.profile_update(user=user, **form.cleaned_data)
            messages.success(request, "Your details have been saved.")
            return redirect("accounts:profile")
    else:
        form = ProfileForm(
            initial={
                "first_name": user.first_name,
                "last_name": user.last_name,
                "job_title": user.job_title,
            }
        )
    context = {
        "form": form,
        "email_addresses": EmailAddress.objects.filter(user=user).order_by("-primary", "email"),
        "authenticators": Authenticator.objects.filter(user=user).order_by("type"),
        "pending_request": VerificationRequest.objects.filter(
            user=user, status=VerificationRequest.Status.PENDING
        )
        .select_related("organisation")
        .first(),
        "organisation_choices": (
            None if user.is_practitioner else services.organisations_for_user(user)
        ),
    }
    return render(request, "accounts/profile.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def verification_request(request):
    if VerificationRequest.objects.filter(
        user=request.user, status=VerificationRequest.Status.PENDING
    ).exists():
        messages.info(request, "You already have a request waiting for a decision.")
        return redirect("accounts:profile")
    form = VerificationRequestForm(
        request.POST or None, initial={"job_title": request.user.job_title}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.verification_request_create(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                "Your request has been sent. We will email you when an administrator has decided.",
            )
            return redirect("accounts:profile")
    return render(request, "accounts/verification_request.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def choose_organisation(request):
    if request.user.can_contribute:
        return redirect("accounts:profile")
    organisations = services.organisations_for_user(request.user)
    if not organisations.exists():
        return redirect("accounts:verification_request")
    form = ChooseOrganisationForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        services.practitioner_choose_organisation(
            user=request.user, organisation=form.cleaned_data["organisation"]
        )
        messages.success(request, "You are now a verified practitioner.")
        return redirect("accounts:profile")
    return render(request, "accounts/choose_organisation.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def reconfirm(request):
    if not request.user.is_practitioner:
        return redirect("accounts:profile")
    form = ReconfirmForm(request.POST or None, initial={"job_title": request.user.job_title})
    if request.method == "POST" and form.is_valid():
        services.practitioner_reconfirm(
            user=request.user, job_title=form.cleaned_data["job_title"]
        )
        messages.success(request, "Thank you. Your details are confirmed for another year.")
        return redirect("accounts:profile")
    return render(request, "accounts/reconfirm.html", {"form": form})
