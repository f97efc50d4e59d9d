"""Practitioners' writes to the library: recording an adoption and submitting a practice.

Both go through ``practice_library.services`` (a submission is written over several question
pages, kept by ``practice_library.submission_drafts`` until it is sent); these views check who
is asking and turn errors into GOV.UK error messages. A practice the user may not see is answered
with 404.
"""

import datetime
from functools import wraps

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kx_site.audience import can_view

from . import services, submission_drafts
from .forms import (
    ATTACHMENTS_STEP,
    STEPS_BY_SLUG,
    SUBMISSION_STEPS,
    AdoptionForm,
    AttachmentUploadForm,
    step_answers,
)
from .models import (
    PracticeIndexPage,
    PracticePage,
    SubmissionDraft,
    SubmissionDraftAttachment,
)
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


def _for_contributors(view):
    """Signed in, allowed to write (else the page that says how), and the library exists.

    The pages hold someone's unsent answers: never kept by a shared cache or the browser's.
    """

    @never_cache
    @login_required
    @wraps(view)
    def checked(request, *args, **kwargs):
        refused = _refuse_unless_contributor(request)
        if refused:
            return refused
        index = PracticeIndexPage.objects.live().first()
        if index is None:
            raise Http404
        return view(request, *args, index=index, **kwargs)

    return checked


def _step_url(step, returning=False):
    url = reverse("practice_library:submit_step", args=[step.slug])
    # Only this fixed value is passed on, so the parameter cannot send anyone elsewhere.
    return f"{url}?return=check" if returning else url


def _saved_form(step, draft):
    """The step's form bound to its saved answers, or None if it has not been answered."""
    answers = draft.answers.get(step.slug)
    if answers is None or step.form_class is None:
        return None
    return step.form_class(answers)


def _first_unfinished_step(draft):
    """The first question page without (still) valid answers: nobody skips ahead of it."""
    for step in SUBMISSION_STEPS:
        if step.slug not in draft.answers:
            return step
        saved = _saved_form(step, draft)
        if saved is not None and not saved.is_valid():
            return step
    return None


def _previous_url(step, index, returning):
    if returning:
        return reverse("practice_library:submit_check")
    position = SUBMISSION_STEPS.index(step)
    return index.url if position == 0 else _step_url(SUBMISSION_STEPS[position - 1])


def _next_url(step, returning):
    position = SUBMISSION_STEPS.index(step)
    if returning or position == len(SUBMISSION_STEPS) - 1:
        return reverse("practice_library:submit_check")
    return _step_url(SUBMISSION_STEPS[position + 1])


@_for_contributors
@require_GET
def submit(request, index):
    """Start, or carry on where the practitioner left off."""
    draft = submission_drafts.submission_draft_get(user=request.user)
    unfinished = _first_unfinished_step(draft)
    if unfinished is None:
        return redirect("practice_library:submit_check")
    return redirect(_step_url(unfinished))


@_for_contributors
@require_http_methods(["GET", "POST"])
def submit_step(request, step, index):
    step = STEPS_BY_SLUG.get(step)
    if step is None:
        raise Http404
    draft = submission_drafts.submission_draft_get(user=request.user)
    unfinished = _first_unfinished_step(draft)
    position = SUBMISSION_STEPS.index(step)
    if unfinished is not None and SUBMISSION_STEPS.index(unfinished) < position:
        return redirect(_step_url(unfinished))
    asked = request.POST if request.method == "POST" else request.GET
    returning = asked.get("return") == "check"
    if step.form_class is None:
        return _attachments_step(request, step, index, draft, returning)
    if request.method == "POST":
        form = step.form_class(request.POST)
        if form.is_valid():
            submission_drafts.submission_draft_save_answers(
                draft=draft, step=step.slug, answers=step_answers(form)
            )
            return redirect(_next_url(step, returning))
    else:
        # Saved answers that are no longer valid (a topic was withdrawn) are shown bound, with
        # their errors; otherwise the page shows what was saved, or the defaults.
        form = _saved_form(step, draft)
        if form is None or form.is_valid():
            form = step.form_class(initial=draft.answers.get(step.slug) or _defaults(request))
    return _render_step(request, "practice_library/submit_step.html", step, index, form, returning)


def _defaults(request):
    return {"contact_name": request.user.get_full_name(), "contact_email": request.user.email}


def _render_step(request, template, step, index, form, returning, **context):
    return render(
        request,
        template,
        {
            "step": step,
            "step_number": SUBMISSION_STEPS.index(step) + 1,
            "step_count": len(SUBMISSION_STEPS),
            "form": form,
            "index": index,
            "returning": returning,
            "back_url": _previous_url(step, index, returning),
            **context,
        },
    )


def _attachments_step(request, step, index, draft, returning):
    """Upload one file at a time, remove any, then continue: each file is kept at once."""
    here = _step_url(step, returning)
    form = AttachmentUploadForm()
    if request.method == "POST" and "remove" in request.POST:
        try:
            name = submission_drafts.submission_draft_remove_attachment(
                draft=draft, attachment_id=int(request.POST["remove"])
            )
        except (ValueError, SubmissionDraftAttachment.DoesNotExist) as error:
            raise Http404 from error
        messages.success(request, f"{name} removed.")
        return redirect(here)
    if request.method == "POST":
        form = AttachmentUploadForm(request.POST, request.FILES)
        uploading = request.POST.get("action") == "upload"
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload:
                try:
                    submission_drafts.submission_draft_attach(draft=draft, upload=upload)
                except ValidationError as error:
                    form.add_error("file", error)
                else:
                    messages.success(request, f"{upload.name} uploaded.")
            elif uploading:
                form.add_error("file", "Select a file to upload")
        if not form.errors:
            if uploading:
                return redirect(here)
            submission_drafts.submission_draft_save_answers(
                draft=draft, step=step.slug, answers={}
            )
            return redirect(_next_url(step, returning))
    attachments = list(draft.attachments.all())
    return _render_step(
        request,
        "practice_library/submit_attachments.html",
        step,
        index,
        form,
        returning,
        attachments=attachments,
        room_for_more=len(attachments) < submission_drafts.MAX_ATTACHMENTS,
        max_attachments=submission_drafts.MAX_ATTACHMENTS,
        max_upload_mb=max_upload_bytes() // MEGABYTE,
    )


def _shown(field, value):
    """An answer as the check-answers page shows it."""
    if value in (None, "", []) or (hasattr(value, "exists") and not value.exists()):
        return "Not given"
    if hasattr(value, "all"):
        return ", ".join(str(item) for item in value)
    if isinstance(value, datetime.date):
        return date_format(value, "j F Y")
    choices = dict(getattr(field, "choices", None) or ())
    return str(choices.get(value, value))


def _answer_sections(draft):
    sections = []
    for step in SUBMISSION_STEPS:
        if step.form_class is None:
            continue
        form = _saved_form(step, draft)
        form.is_valid()
        rows = [
            {
                "key": field.label.removesuffix(" (optional)"),
                "value": _shown(field.field, form.cleaned_data.get(field.name)),
                "multiline": isinstance(field.field.widget, forms.Textarea),
            }
            for field in form
        ]
        sections.append({"step": step, "rows": rows, "change_url": _step_url(step, True)})
    return sections


@_for_contributors
@require_http_methods(["GET", "POST"])
def submit_check(request, index):
    """GOV.UK "Check your answers": every answer with a link to change it, then send."""
    draft = submission_drafts.submission_draft_get(user=request.user)
    unfinished = _first_unfinished_step(draft)
    if unfinished is not None:
        return redirect(_step_url(unfinished, returning=unfinished.slug in draft.answers))
    problem = None
    if request.method == "POST":
        fields = {}
        for step in SUBMISSION_STEPS:
            form = _saved_form(step, draft)
            if form is not None:
                form.is_valid()
                fields.update(form.cleaned_data)
        topics = fields.pop("topics")
        try:
            page = submission_drafts.submission_draft_send(
                draft=draft, user=request.user, fields=fields, topics=topics
            )
        except ValidationError as error:
            problem = " ".join(error.messages)
        else:
            return redirect("practice_library:submit_sent", practice_id=page.pk)
    return render(
        request,
        "practice_library/submit_check.html",
        {
            "index": index,
            "sections": _answer_sections(draft),
            "attachments": list(draft.attachments.all()),
            "attachments_change_url": _step_url(STEPS_BY_SLUG[ATTACHMENTS_STEP], True),
            "back_url": _step_url(SUBMISSION_STEPS[-1]),
            "problem": problem,
        },
    )


@_for_contributors
@require_http_methods(["GET", "POST"])
def submit_discard(request, index):
    """Ask, then delete the unsent practice: answers and files."""
    if request.method == "POST":
        draft = SubmissionDraft.objects.filter(user=request.user).first()
        if draft is not None:
            submission_drafts.submission_draft_discard(draft=draft)
        messages.success(request, "Your unsent practice has been deleted.")
        return redirect(index.url)
    return render(
        request,
        "practice_library/submit_discard.html",
        {"index": index, "draft_days": settings.KX_SUBMISSION_DRAFT_DAYS},
    )


@never_cache
@login_required
@require_GET
def submit_sent(request, practice_id):
    """The confirmation, shown only to the person who sent the practice."""
    practice = get_object_or_404(PracticePage, pk=practice_id, submitted_by=request.user)
    index = PracticeIndexPage.objects.live().first()
    return render(
        request, "practice_library/submit_sent.html", {"practice": practice, "index": index}
    )
