"""Sharing a practice over question pages: each page keeps its answers, files are kept as soon as
they are uploaded, check your answers sends it, and nobody skips a question."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from wagtail.documents import get_document_model
from wagtail.models import WorkflowState

from kx_site.audience import Audience
from practice_library.forms import SUBMISSION_STEPS
from practice_library.models import PracticePage, SubmissionDraft, SubmissionDraftAttachment, Topic
from practice_library.submission_drafts import submission_draft_send
from tests.factories import PractitionerFactory, seeded_organisation

from .submission_helpers import (
    ANSWERS,
    CHECK_URL,
    START_URL,
    answer_every_question,
    step_data,
    step_url,
)
from .uploads import pdf, png

pytestmark = pytest.mark.django_db

FORM_STEPS = [step.slug for step in SUBMISSION_STEPS if step.form_class]
# One required answer left out per question page, and the message that says so.
MISSING = {
    "practice": ("summary", "Enter a summary"),
    "evidence": ("does_it_work", "Select whether the practice works"),
    "context": ("topics", "Select at least one topic"),
    "contact": ("contact_name", "Enter a contact name"),
}


@pytest.fixture
def submitter(library):
    return PractitionerFactory(email="pat.submitter@kent.police.uk", first_name="Pat")


@pytest.fixture
def signed_in(client, submitter):
    client.force_login(submitter)
    return client


def answer_up_to(client, slug):
    """Answer every question page before ``slug``."""
    for step in SUBMISSION_STEPS:
        if step.slug == slug:
            return
        client.post(step_url(step.slug), step_data(step.slug) if step.form_class else {})


def draft_of(user):
    return SubmissionDraft.objects.get(user=user)


@pytest.mark.parametrize("slug", FORM_STEPS)
def test_a_valid_page_is_kept_and_leads_to_the_next_question(signed_in, submitter, slug):
    answer_up_to(signed_in, slug)

    response = signed_in.post(step_url(slug), step_data(slug))

    position = FORM_STEPS.index(slug)
    following = [step.slug for step in SUBMISSION_STEPS][position + 1]
    assert response.status_code == 302
    assert response["Location"] == step_url(following)
    assert draft_of(submitter).answers[slug] == step_data(slug)
    # Coming back shows the answers given.
    page = signed_in.get(step_url(slug)).content.decode()
    first_text_answer = next(v for v in step_data(slug).values() if isinstance(v, str) and v)
    assert first_text_answer in page


@pytest.mark.parametrize("slug", FORM_STEPS)
def test_an_invalid_page_shows_gov_uk_errors_and_keeps_nothing(signed_in, submitter, slug):
    answer_up_to(signed_in, slug)
    field, message = MISSING[slug]

    response = signed_in.post(step_url(slug), step_data(slug, **{field: []}))

    body = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in body
    assert "There is a problem" in body
    assert f'href="#id_{field}' in body
    assert f'id="id_{field}-error"' in body
    assert message in body
    assert slug not in draft_of(submitter).answers


def test_the_attachments_page_keeps_each_file_at_once(signed_in, submitter, media_root):
    answer_up_to(signed_in, "attachments")

    uploaded = signed_in.post(step_url("attachments"), {"action": "upload", "file": pdf()})
    refused = signed_in.post(
        step_url("attachments"), {"action": "upload", "file": pdf("notes.txt")}
    )

    assert uploaded["Location"] == step_url("attachments")
    body = refused.content.decode()
    assert refused.status_code == 200
    assert "notes.txt must be a PDF" in body
    # The file uploaded before the error is still there, listed with its Remove button.
    assert "plan.pdf" in body
    assert 'Remove<span class="govuk-visually-hidden"> plan.pdf</span>' in body
    [attachment] = draft_of(submitter).attachments.all()
    assert attachment.name == "plan.pdf"
    with attachment.file.open("rb") as stored:
        assert stored.read().startswith(b"%PDF-")


def test_an_attachment_is_kept_after_an_error_on_a_later_answer(
    signed_in, submitter, media_root, django_capture_on_commit_callbacks
):
    answer_every_question(signed_in, attachments=[pdf()])

    # From check your answers they change the dates, wrongly, then put them right.
    wrong = signed_in.post(
        step_url("context") + "?return=check",
        {**step_data("context", end_date="1/1/2020"), "return": "check"},
    )
    right = signed_in.post(
        step_url("context"), {**step_data("context", end_date="1/5/2025"), "return": "check"}
    )
    check = signed_in.get(CHECK_URL).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        signed_in.post(CHECK_URL)

    assert "The end date must be on or after the start date" in wrong.content.decode()
    assert right["Location"] == CHECK_URL
    assert "plan.pdf" in check
    assert "1 May 2025" in check
    practice = PracticePage.objects.get()
    assert [a.document.title for a in practice.attachments.all()] == ["plan.pdf"]
    assert practice.end_date == datetime.date(2025, 5, 1)


def test_a_file_chosen_before_continue_is_uploaded_too(signed_in, submitter, media_root):
    answer_up_to(signed_in, "attachments")

    response = signed_in.post(step_url("attachments"), {"action": "continue", "file": png()})

    assert response["Location"] == CHECK_URL
    assert [a.name for a in draft_of(submitter).attachments.all()] == ["chart.png"]


def test_upload_without_a_file_asks_for_one(signed_in, media_root):
    answer_up_to(signed_in, "attachments")

    response = signed_in.post(step_url("attachments"), {"action": "upload"})

    assert "Select a file to upload" in response.content.decode()


def test_at_most_three_files(signed_in, submitter, media_root):
    answer_up_to(signed_in, "attachments")
    for name in ("a.pdf", "b.pdf", "c.pdf"):
        signed_in.post(step_url("attachments"), {"action": "upload", "file": pdf(name)})

    page = signed_in.get(step_url("attachments")).content.decode()
    fourth = signed_in.post(step_url("attachments"), {"action": "upload", "file": pdf("d.pdf")})

    assert 'type="file"' not in page
    assert "Remove one to attach a different file" in page
    assert "You can attach up to 3 files" in fourth.content.decode()
    assert draft_of(submitter).attachments.count() == 3


def test_remove_deletes_the_file(
    signed_in, submitter, media_root, django_capture_on_commit_callbacks
):
    answer_up_to(signed_in, "attachments")
    signed_in.post(step_url("attachments"), {"action": "upload", "file": pdf()})
    signed_in.post(step_url("attachments"), {"action": "upload", "file": png()})
    plan, chart = draft_of(submitter).attachments.all()
    storage = plan.file.storage

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(step_url("attachments"), {"remove": plan.pk})

    assert response["Location"] == step_url("attachments")
    assert "plan.pdf removed." in signed_in.get(response["Location"]).content.decode()
    assert list(draft_of(submitter).attachments.all()) == [chart]
    assert not storage.exists(plan.file.name)
    assert storage.exists(chart.file.name)


def test_nobody_removes_another_practitioners_file(client, submitter, media_root):
    client.force_login(submitter)
    answer_up_to(client, "attachments")
    client.post(step_url("attachments"), {"action": "upload", "file": pdf()})
    [theirs] = draft_of(submitter).attachments.all()
    other = PractitionerFactory(email="someone.else@cumbria.police.uk")
    client.force_login(other)
    answer_up_to(client, "attachments")

    response = client.post(step_url("attachments"), {"remove": theirs.pk})

    assert response.status_code == 404
    assert SubmissionDraftAttachment.objects.filter(pk=theirs.pk).exists()
    assert theirs.file.storage.exists(theirs.file.name)


def test_change_from_check_your_answers_returns_there(signed_in, submitter):
    answer_every_question(signed_in)
    check = signed_in.get(CHECK_URL).content.decode()

    change = signed_in.get(step_url("practice") + "?return=check").content.decode()
    saved = signed_in.post(
        step_url("practice"), {**step_data("practice", title="Renamed"), "return": "check"}
    )

    assert f'href="{step_url("practice")}?return=check"' in check
    assert '<input type="hidden" name="return" value="check">' in change
    assert f'<a href="{CHECK_URL}" class="govuk-back-link">' in change
    assert "Save and return to check your answers" in change
    assert saved["Location"] == CHECK_URL
    assert "Renamed" in signed_in.get(CHECK_URL).content.decode()


def test_check_your_answers_shows_every_answer_in_words(signed_in, media_root):
    answer_every_question(signed_in, attachments=[pdf()])

    body = signed_in.get(CHECK_URL).content.decode()

    for shown in (
        ANSWERS["title"],
        "Promising",
        "Evaluated locally",
        "MAPPA",
        "Potentially dangerous persons (PDPs)",
        "Local (one team or area)",
        "1 April 2024",
        ANSWERS["contact_email"],
        "plan.pdf",
        "Not given",
    ):
        assert shown in body, shown
    assert 'class="govuk-summary-list__row"' in body


@pytest.mark.parametrize(
    ("answered", "asked_for"),
    [
        ([], "practice"),
        (["practice"], "evidence"),
        (["practice", "evidence", "context", "contact"], "attachments"),
    ],
)
def test_nobody_skips_ahead(signed_in, answered, asked_for):
    for slug in answered:
        signed_in.post(step_url(slug), step_data(slug))

    assert signed_in.get(CHECK_URL)["Location"] == step_url(asked_for)
    assert signed_in.get(START_URL)["Location"] == step_url(asked_for)
    assert signed_in.post(CHECK_URL)["Location"] == step_url(asked_for)
    if asked_for != "attachments":
        assert signed_in.get(step_url("attachments"))["Location"] == step_url(asked_for)
    assert not PracticePage.objects.exists()


def test_an_answer_that_is_no_longer_valid_is_asked_again(signed_in):
    answer_every_question(signed_in, topics=["mappa"])
    Topic.objects.filter(slug="mappa").delete()

    response = signed_in.get(CHECK_URL)
    page = signed_in.get(response["Location"]).content.decode()

    assert response["Location"] == step_url("context") + "?return=check"
    assert "Select a valid choice" in page
    assert not PracticePage.objects.exists()


def test_the_answers_survive_signing_out(client, submitter, media_root):
    client.force_login(submitter)
    answer_up_to(client, "attachments")
    client.post(step_url("attachments"), {"action": "upload", "file": pdf()})
    client.logout()

    client.force_login(submitter)
    response = client.get(START_URL)

    assert response["Location"] == step_url("attachments")
    assert "plan.pdf" in client.get(step_url("attachments")).content.decode()
    assert ANSWERS["title"] in client.get(step_url("practice")).content.decode()


def test_sending_creates_what_the_one_page_form_created(
    signed_in, submitter, library, media_root, django_capture_on_commit_callbacks
):
    answer_every_question(signed_in, attachments=[pdf(), png()])
    draft_files = [a.file.name for a in draft_of(submitter).attachments.all()]

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(CHECK_URL)

    practice = PracticePage.objects.get()
    assert response["Location"] == f"/library/submit/sent/{practice.pk}/"
    expected = {
        **{k: v for k, v in ANSWERS.items() if k not in ("topics", "start_date", "end_date")},
        "start_date": datetime.date(2024, 4, 1),
        "end_date": None,
    }
    assert {name: getattr(practice, name) for name in expected} == expected
    assert sorted(t.slug for t in practice.topics.all()) == sorted(ANSWERS["topics"])
    assert practice.get_parent().specific == library
    assert practice.slug == "joint-pdp-reviews"
    assert not practice.live
    assert (practice.owner, practice.submitted_by) == (submitter, submitter)
    assert practice.organisation == seeded_organisation("kent-police")
    assert practice.audience == Audience.PRACTITIONERS
    assert practice.revisions.count() == 1
    [state] = WorkflowState.objects.filter(object_id=str(practice.pk))
    assert (state.status, state.requested_by) == (WorkflowState.STATUS_IN_PROGRESS, submitter)
    documents = [a.document for a in practice.attachments.all()]
    assert [d.title for d in documents] == ["plan.pdf", "chart.png"]
    with documents[0].file.open("rb") as stored:
        assert stored.read() == pdf().read()
    assert get_document_model().objects.count() == 2
    # The draft and its stored files are gone; the documents hold their own copies.
    assert not SubmissionDraft.objects.exists()
    storage = SubmissionDraftAttachment._meta.get_field("file").storage
    assert not any(storage.exists(name) for name in draft_files)
    sent = signed_in.get(response["Location"]).content.decode()
    assert "govuk-panel--confirmation" in sent
    assert "“Joint PDP reviews” is with the editors" in sent


def test_sending_twice_creates_one_practice(signed_in, media_root):
    answer_every_question(signed_in)

    first = signed_in.post(CHECK_URL)
    second = signed_in.post(CHECK_URL)

    assert first["Location"].startswith("/library/submit/sent/")
    assert second["Location"] == step_url("practice")
    assert PracticePage.objects.count() == 1


def test_the_confirmation_is_for_the_submitter_only(client, submitter):
    client.force_login(submitter)
    answer_every_question(client)
    sent = client.post(CHECK_URL)["Location"]

    client.force_login(PractitionerFactory(email="someone.else@kent.police.uk"))

    assert client.get(sent).status_code == 404


def test_an_unknown_question_is_not_found(signed_in):
    assert signed_in.get(step_url("nonsense")).status_code == 404


def test_unsent_answers_are_never_cached(signed_in):
    response = signed_in.get(step_url("practice"))

    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_a_draft_is_sent_once_even_from_a_stale_copy(signed_in, submitter):
    answer_every_question(signed_in)
    stale = draft_of(submitter)
    signed_in.post(CHECK_URL)

    with pytest.raises(ValidationError, match="already been sent"):
        submission_draft_send(draft=stale, user=submitter, fields={}, topics=[])

    assert PracticePage.objects.count() == 1


# Deleting an unsent practice, by its author or after KX_SUBMISSION_DRAFT_DAYS


DISCARD_URL = "/library/submit/discard/"


def test_the_author_deletes_their_unsent_practice_after_being_asked(
    signed_in, submitter, media_root, django_capture_on_commit_callbacks
):
    answer_up_to(signed_in, "attachments")
    signed_in.post(step_url("attachments"), {"action": "upload", "file": pdf()})
    [attachment] = draft_of(submitter).attachments.all()
    assert DISCARD_URL in signed_in.get(step_url("attachments")).content.decode()

    asked = signed_in.get(DISCARD_URL)
    assert "Delete your unsent practice?" in asked.content.decode()
    assert SubmissionDraft.objects.filter(user=submitter).exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(DISCARD_URL)

    assert response.status_code == 302
    assert not SubmissionDraft.objects.filter(user=submitter).exists()
    assert not attachment.file.storage.exists(attachment.file.name)
    assert (
        "Your unsent practice has been deleted."
        in signed_in.get(response["Location"]).content.decode()
    )
    # Starting again starts from the first question with nothing kept.
    assert signed_in.get(START_URL)["Location"] == step_url(FORM_STEPS[0])


def test_deleting_touches_only_ones_own_draft(client, submitter, library):
    client.force_login(submitter)
    answer_up_to(client, "context")
    other = PractitionerFactory(email="someone.else@cumbria.police.uk")
    client.force_login(other)

    client.post(DISCARD_URL)

    assert SubmissionDraft.objects.filter(user=submitter).exists()


def test_anonymous_visitors_cannot_delete_drafts(client, submitter, library):
    client.force_login(submitter)
    answer_up_to(client, "context")
    client.logout()

    response = client.post(DISCARD_URL)

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert SubmissionDraft.objects.filter(user=submitter).exists()


def test_drafts_left_unsent_are_deleted_with_their_files_after_the_set_days(
    client, submitter, media_root, django_capture_on_commit_callbacks, settings
):
    from datetime import timedelta
    from io import StringIO

    from django.core.management import call_command
    from django.utils import timezone

    settings.KX_SUBMISSION_DRAFT_DAYS = 30
    client.force_login(submitter)
    answer_up_to(client, "attachments")
    client.post(step_url("attachments"), {"action": "upload", "file": pdf()})
    [attachment] = draft_of(submitter).attachments.all()
    recent = PractitionerFactory(email="recent@kent.police.uk")
    client.force_login(recent)
    answer_up_to(client, "context")
    SubmissionDraft.objects.filter(user=submitter).update(
        updated_at=timezone.now() - timedelta(days=31)
    )
    SubmissionDraft.objects.filter(user=recent).update(
        updated_at=timezone.now() - timedelta(days=29)
    )

    with django_capture_on_commit_callbacks(execute=True):
        call_command("forget_stale_submission_drafts", stdout=StringIO())

    assert list(SubmissionDraft.objects.values_list("user", flat=True)) == [recent.pk]
    assert not attachment.file.storage.exists(attachment.file.name)
