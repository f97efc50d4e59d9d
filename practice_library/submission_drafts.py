"""A practitioner's practice submission in progress: answers and files kept between the question
pages, then sent through ``services.practice_submit`` exactly as the one-page form did.

Files are checked (``uploads.check_upload``) and stored the moment they are uploaded, so an error
on a later question, or signing out, never loses them. Stored files are deleted after commit,
once the database no longer points at them.
"""

from contextlib import ExitStack
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from . import services
from .models import PracticePage, SubmissionDraft, SubmissionDraftAttachment
from .uploads import check_upload

MAX_ATTACHMENTS = 3


def submission_draft_get(*, user) -> SubmissionDraft:
    """The user's draft, started on first use."""
    draft, _created = SubmissionDraft.objects.get_or_create(user=user)
    return draft


def submission_draft_save_answers(*, draft: SubmissionDraft, step: str, answers: dict):
    """Keep one question page's (valid) answers, replacing what it said before."""
    draft.answers = {**draft.answers, step: answers}
    draft.save(update_fields=["answers", "updated_at"])


def _delete_files_after_commit(names):
    storage = SubmissionDraftAttachment._meta.get_field("file").storage

    def delete():
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete)


@transaction.atomic
def submission_draft_attach(*, draft: SubmissionDraft, upload) -> SubmissionDraftAttachment:
    """Check ``upload`` and keep it with the draft, up to ``MAX_ATTACHMENTS`` files."""
    # The row lock makes the count and the insert one step, even from two browser tabs.
    SubmissionDraft.objects.select_for_update().filter(pk=draft.pk).first()
    if draft.attachments.count() >= MAX_ATTACHMENTS:
        raise ValidationError(f"You can attach up to {MAX_ATTACHMENTS} files: remove one first")
    check_upload(upload)
    attachment = SubmissionDraftAttachment(draft=draft, name=upload.name[:255], size=upload.size)
    attachment.file.save(upload.name, upload, save=False)
    try:
        attachment.save()
    except BaseException:
        attachment.file.storage.delete(attachment.file.name)
        raise
    return attachment


@transaction.atomic
def submission_draft_remove_attachment(*, draft: SubmissionDraft, attachment_id: int) -> str:
    """Remove one of the draft's own files; returns its name. Raises ``DoesNotExist`` for
    anything else, including another person's file."""
    attachment = draft.attachments.get(pk=attachment_id)
    attachment.delete()
    _delete_files_after_commit([attachment.file.name])
    return attachment.name


@transaction.atomic
def submission_draft_send(*, draft: SubmissionDraft, user, fields: dict, topics) -> PracticePage:
    """Submit the practice with the draft's files and forget the draft.

    ``fields`` and ``topics`` are the validated answers of every question page; the page,
    its documents and its workflow state are made by ``services.practice_submit``.
    """
    if draft.user_id != user.pk:
        raise PermissionDenied("This is not your submission.")
    # Two sends of one draft (a double click, two tabs) make one practice: the second waits
    # for the first and finds the draft gone.
    if SubmissionDraft.objects.select_for_update().filter(pk=draft.pk).first() is None:
        raise ValidationError("This practice has already been sent to the editors.")
    attachments = list(draft.attachments.all())
    with ExitStack() as files:
        uploads = [
            File(files.enter_context(attachment.file.open("rb")), name=attachment.name)
            for attachment in attachments
        ]
        page = services.practice_submit(
            user=user, fields=fields, topics=topics, attachments=uploads
        )
    draft.delete()
    _delete_files_after_commit([attachment.file.name for attachment in attachments])
    return page


@transaction.atomic
def submission_draft_discard(*, draft: SubmissionDraft):
    """Forget the draft: its answers now, its files once the deletion has committed."""
    names = [attachment.file.name for attachment in draft.attachments.all()]
    draft.delete()
    _delete_files_after_commit(names)


def submission_drafts_forget_stale(now=None) -> int:
    """Discard drafts nobody has touched for ``KX_SUBMISSION_DRAFT_DAYS``: they hold personal
    details and unpublished files that should not be kept for ever. Returns how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.KX_SUBMISSION_DRAFT_DAYS)
    forgotten = 0
    for draft in SubmissionDraft.objects.filter(updated_at__lt=cutoff).prefetch_related(
        "attachments"
    ):
        submission_draft_discard(draft=draft)
        forgotten += 1
    return forgotten
