"""Practitioners' writes to the library: recording an adoption and submitting a practice.

Both go through ``practice_library.services``; these views check who is asking and turn errors
into GOV.UK error messages. A practice the user may not see is answered with 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from kx_site.audience import can_view

from . import services
from .forms import AdoptionForm, PracticeSubmissionForm
from .models import PracticeIndexPage, PracticePage
from .uploads import MEGABYTE, max_upload_bytes


def _refuse_unless_contributor(request):
    """The 403 page that explains how to become a verified practitioner, or None."""
    if request.user.can_contribute:
        return None
    refusal = "verify_practitioner"
    if request.user.is_practitioner:
        refusal = "verification_lapsed"
    return render(
        request, "practice_library/contributors_only.html", {"refusal": refusal}, status=403
    )


@login_required
@require_POST
def adopt(request, practice_id):
    practice = get_object_or_404(PracticePage.objects.live(), pk=practice_id)
    if not can_view(request.user, practice):
        raise Http404
    refused = _refuse_unless_contributor(request)
    if refused:
        return refused
    own = practice.adoptions.filter(organisation_id=request.user.organisation_id).first()
    form = AdoptionForm(request.POST, instance=own)
    if form.is_valid():
        try:
            services.adoption_record(
                practice=practice,
                user=request.user,
                kind=form.cleaned_data["kind"],
                note=form.cleaned_data["note"],
                own_evaluation=form.cleaned_data["own_evaluation"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, f"We have recorded that {request.user.organisation} uses this practice."
            )
            return redirect(practice.url + "#adoptions")
    return render(request, "practice_library/adopt.html", {"practice": practice, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def submit(request):
    refused = _refuse_unless_contributor(request)
    if refused:
        return refused
    index = PracticeIndexPage.objects.live().first()
    if index is None:
        raise Http404
    if request.method == "POST":
        form = PracticeSubmissionForm(request.POST, request.FILES)
    else:
        form = PracticeSubmissionForm(
            initial={
                "contact_name": request.user.get_full_name(),
                "contact_email": request.user.email,
            }
        )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        topics = data.pop("topics")
        for n in range(1, form.MAX_ATTACHMENTS + 1):
            data.pop(f"attachment_{n}")
        page = services.practice_submit(
            user=request.user, fields=data, topics=topics, attachments=form.attachments()
        )
        messages.success(
            request,
            f"Thank you: “{page.title}” is with the editors. We will email you when they have "
            "published it or sent it back.",
        )
        return redirect(index.url)
    return render(
        request,
        "practice_library/submit.html",
        {"form": form, "index": index, "max_upload_mb": max_upload_bytes() // MEGABYTE},
    )
