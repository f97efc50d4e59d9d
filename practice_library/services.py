"""Every change to the practice library: adoptions, submissions, outcomes and imports.

Views, signal handlers and the import command call these; emails go after commit.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.text import slugify
from wagtail.documents import get_document_model
from wagtail.models import WorkflowState

from kx_site.audience import Audience, can_view
from kx_site.notifications import queue_email

from .importing import ImportFileError, ImportReport, validate_rows
from .models import Adoption, PracticeAttachment, PracticeIndexPage, PracticePage, Topic


@transaction.atomic
def adoption_record(*, practice: PracticePage, user, kind: str, note: str, own_evaluation=""):
    """Record (or update) that ``user``'s organisation adopted or adapted ``practice``."""
    if not user.is_authenticated or not user.can_contribute:
        raise PermissionDenied("Only verified practitioners can record an adoption.")
    if not practice.live or not can_view(user, practice):
        raise PermissionDenied("You cannot see this practice.")
    if kind not in Adoption.Kind.values:
        raise ValidationError({"kind": "Select whether your organisation adopted or adapted it"})
    if not note.strip():
        raise ValidationError({"note": "Enter what your organisation did"})
    adoption, _created = Adoption.objects.update_or_create(
        practice=practice,
        organisation_id=user.organisation_id,
        defaults={
            "kind": kind,
            "note": note.strip(),
            "own_evaluation": own_evaluation.strip(),
            "recorded_by": user,
        },
    )
    return adoption


def _unique_slug(parent, title):
    base = slugify(title)[:70] or "practice"
    slug, n = base, 1
    while parent.get_children().filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def practice_submit(*, user, fields: dict, topics, attachments=()) -> PracticePage:
    """A practitioner's practice, saved as a draft and sent into the publishing workflow.

    The page is for practitioners until an editor decides otherwise; the submitter owns it and
    is told the outcome (see ``practice_submission_published`` and ``..._rejected``).
    """
    if not user.is_authenticated or not user.can_contribute:
        raise PermissionDenied("Only verified practitioners can submit a practice.")
    index = PracticeIndexPage.objects.first()
    if index is None:
        raise ValidationError("The practice library is not open yet.")
    page = PracticePage(
        **fields,
        slug=_unique_slug(index, fields["title"]),
        organisation=user.organisation,
        audience=Audience.PRACTITIONERS,
        owner=user,
        submitted_by=user,
        live=False,
    )
    page.topics = list(topics)
    Document = get_document_model()
    page_attachments = []
    for upload in attachments:
        document = Document(title=upload.name, uploaded_by_user=user)
        document.file.save(upload.name, upload, save=False)
        document.save()
        page_attachments.append(PracticeAttachment(document=document))
    page.attachments = page_attachments
    index.add_child(instance=page)
    page.save_revision(user=user, log_action=True)
    workflow = page.get_workflow()
    if workflow is not None:
        workflow.start(page, user)
    return page


def _approved_in_workflow(page):
    """Whether this publication is a workflow approval (whose own email tells the author)."""
    latest = (
        WorkflowState.objects.for_instance(page).order_by("-created_at", "-pk").only("status")
    ).first()
    return latest is not None and latest.status == WorkflowState.STATUS_APPROVED


def practice_submission_published(*, page: PracticePage):
    """Tell the submitter their practice is live, once, on its first publication.

    A reviewer who approves the workflow task publishes it too; the workflow's approval email
    (sent for every page) tells the submitter then, and a rejection is told the same way, so
    this email covers the other path: an editor publishing it directly, which ends the workflow.
    """
    submitter = page.submitted_by
    if submitter is None or page.first_published_at != page.last_published_at:
        return
    if _approved_in_workflow(page):
        return
    queue_email(
        template_name="practice_library/submission_published",
        to=submitter.email,
        context={"page": page, "user": submitter},
    )


def topics_create(names):
    """Create a topic for each name, with a slug of its own (imports with ``create_topics``)."""
    for name in names:
        base = slugify(name)[:90] or "topic"
        slug, n = base, 1
        while Topic.objects.filter(slug=slug).exists():
            n += 1
            slug = f"{base}-{n}"
        Topic.objects.create(name=name[:100], slug=slug)


def _existing_practice(fields):
    return (
        PracticePage.objects.filter(
            title__iexact=fields["title"], organisation=fields["organisation"]
        )
        .order_by("pk")
        .first()
    )


@transaction.atomic
def practices_import(*, rows, skip_invalid=False, dry_run=False, user=None) -> ImportReport:
    """Create or update (matched on title and organisation) and publish a practice per row.

    ``rows`` come from ``importing.read_rows``. Every row is checked first: with any problem,
    nothing is written unless ``skip_invalid``, which writes the valid rows. ``dry_run``
    reports what would happen and writes nothing.
    """
    valid, problems = validate_rows(rows)
    report = ImportReport(problems=problems)
    if problems and not skip_invalid:
        return report
    index = PracticeIndexPage.objects.first()
    if index is None:
        raise ImportFileError("There is no practice library page to import into: create it first.")
    for checked in valid:
        practice = _existing_practice(checked.fields)
        if practice is None:
            practice = PracticePage(
                slug=_unique_slug(index, checked.fields["title"]), owner=user, **checked.fields
            )
            report.created.append(checked.fields["title"])
            if dry_run:
                continue
            practice.topics = checked.topics
            practice.restricted_to_kinds = checked.restricted_to_kinds
            index.add_child(instance=practice)
        else:
            report.updated.append(checked.fields["title"])
            if dry_run:
                continue
            for name, value in checked.fields.items():
                setattr(practice, name, value)
            practice.topics = checked.topics
            practice.restricted_to_kinds = checked.restricted_to_kinds
        practice.save_revision(user=user).publish(user=user)
    return report
