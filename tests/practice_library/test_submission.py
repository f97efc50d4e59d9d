"""A verified practitioner submits a practice: a draft in the workflow; told the outcome."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.utils import timezone
from wagtail.models import WorkflowState

from kx_site.audience import Audience
from practice_library.models import PracticePage, Topic
from tests.factories import PractitionerFactory, UserFactory, seeded_organisation

from .factories import PracticePageFactory
from .submission_helpers import (
    ANSWERS,
    CHECK_URL,
    START_URL,
    answer_every_question,
    step_data,
    step_url,
)
from .uploads import docx, pdf, png

pytestmark = pytest.mark.django_db


def send(client):
    """Answer every question page, then send from check your answers."""
    answer_every_question(client)
    return client.post(CHECK_URL)


@pytest.fixture
def submitter(library):
    return PractitionerFactory(email="pat.submitter@kent.police.uk", first_name="Pat")


def test_the_form_offers_the_topics_and_the_submitters_contact(client, submitter):
    client.force_login(submitter)

    first = client.get(START_URL, follow=True)
    for slug in ("practice", "evidence", "context"):
        client.post(step_url(slug), step_data(slug))
    topics = client.get(step_url("context")).content.decode()
    contact = client.get(step_url("contact")).content.decode()

    assert first.redirect_chain == [(step_url("practice"), 302)]
    assert "Share a practice" in first.content.decode()
    assert "Potentially dangerous persons (PDPs)" in topics
    assert 'value="pat.submitter@kent.police.uk"' in contact


def test_a_submission_becomes_a_draft_in_the_workflow(
    client, submitter, library, django_capture_on_commit_callbacks
):
    client.force_login(submitter)

    answer_every_question(client, attachments=[pdf(), png()])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(CHECK_URL)

    practice = PracticePage.objects.get(title="Joint PDP reviews")
    assert not practice.live
    assert practice.get_parent().specific == library
    assert practice.owner == submitter
    assert practice.submitted_by == submitter
    assert practice.organisation == seeded_organisation("kent-police")
    assert practice.audience == Audience.PRACTITIONERS
    assert sorted(t.slug for t in practice.topics.all()) == [
        "mappa",
        "potentially-dangerous-persons-pdps",
    ]
    assert practice.start_date.isoformat() == "2024-04-01"
    assert [a.document.title for a in practice.attachments.all()] == ["plan.pdf", "chart.png"]
    workflow_state = WorkflowState.objects.get(object_id=str(practice.pk))
    assert workflow_state.status == WorkflowState.STATUS_IN_PROGRESS
    assert workflow_state.requested_by == submitter
    # The confirmation says so; the draft is not listed in the library.
    assert "is with the editors" in client.get(response["Location"]).content.decode()
    assert "Joint PDP reviews</a>" not in client.get(library.url).content.decode()


def test_errors_are_shown_the_gov_uk_way_and_nothing_is_lost(client, submitter):
    client.force_login(submitter)

    about = client.post(
        step_url("practice"), step_data("practice", title="", description="Keep this text.")
    )
    client.post(step_url("practice"), step_data("practice"))
    client.post(step_url("evidence"), step_data("evidence"))
    context = client.post(
        step_url("context"), step_data("context", topics=[], start_date="31/2/2024")
    )
    client.post(step_url("context"), step_data("context"))
    contact = client.post(step_url("contact"), step_data("contact", contact_email="not-an-email"))

    for response, messages in (
        (about, ["Enter the name of the practice"]),
        (context, ["Select at least one topic", "Enter the start date as day/month/year"]),
        (contact, ["Enter an email address in the correct format"]),
    ):
        body = response.content.decode()
        assert response.status_code == 200
        assert "There is a problem" in body
        for message in messages:
            assert message in body, message
    assert "Keep this text." in about.content.decode()
    assert "not-an-email" in contact.content.decode()
    assert not PracticePage.objects.exists()


def test_an_end_before_the_start_is_refused(client, submitter):
    client.force_login(submitter)
    client.post(step_url("practice"), step_data("practice"))
    client.post(step_url("evidence"), step_data("evidence"))

    response = client.post(
        step_url("context"), step_data("context", start_date="1/4/2024", end_date="1/1/2024")
    )

    assert "The end date must be on or after the start date" in response.content.decode()
    assert client.get(CHECK_URL)["Location"] == step_url("context")


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (lambda: pdf("run.exe"), "run.exe must be a PDF, DOCX, XLSX, PPTX, ODT, PNG or JPEG file"),
        (lambda: docx("fake.pdf"), "fake.pdf is not a PDF file"),
        (lambda: png("bomb.png", size=(300, 300)), "bomb.png has too many pixels"),
    ],
)
def test_a_refused_attachment_is_a_form_error(
    client, submitter, settings, media_root, upload, message
):
    settings.KX_UPLOAD_MAX_IMAGE_PIXELS = 10_000
    client.force_login(submitter)
    for slug in ("practice", "evidence", "context", "contact"):
        client.post(step_url(slug), step_data(slug))

    response = client.post(step_url("attachments"), {"action": "upload", "file": upload()})

    body = response.content.decode()
    assert response.status_code == 200
    assert message in body
    assert 'href="#id_file"' in body
    assert not submitter.submission_draft.attachments.exists()
    assert not PracticePage.objects.exists()


@pytest.mark.parametrize("who", ["member", "unverified", "lapsed"])
def test_only_verified_practitioners_may_submit(client, library, who):
    users = {
        "member": UserFactory,
        "unverified": lambda: UserFactory(email_verified=False),
        "lapsed": lambda: PractitionerFactory(verified_at=timezone.now() - timedelta(days=400)),
    }
    client.force_login(users[who]())

    for url in (START_URL, step_url("practice"), step_url("attachments"), CHECK_URL):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Only verified practitioners can do this" in response.content.decode()
    # A lapsed member's writes are sent to confirm their details first (a redirect).
    assert client.post(step_url("practice"), step_data("practice")).status_code in (302, 403)
    assert client.post(CHECK_URL).status_code in (302, 403)
    assert not PracticePage.objects.exists()


@pytest.mark.parametrize(
    "url", [START_URL, "/library/submit/practice/", CHECK_URL, "/library/submit/sent/1/"]
)
def test_anonymous_visitors_are_sent_to_sign_in(client, library, url):
    response = client.post(url, step_data("practice"))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not PracticePage.objects.exists()


def submitted_practice(client, submitter):
    client.force_login(submitter)
    send(client)
    return PracticePage.objects.get(title=ANSWERS["title"])


def emails_to(address):
    """Our outcome emails (Wagtail sends its own workflow notifications as well)."""
    return [m for m in mail.outbox if address in m.to and "Your practice" in m.subject]


def test_the_submitter_is_told_when_it_is_published_and_only_once(
    client, submitter, django_capture_on_commit_callbacks
):
    practice = submitted_practice(client, submitter)
    senior_editor = UserFactory()
    senior_editor.groups.add(Group.objects.get(name="Senior editors"))

    with django_capture_on_commit_callbacks(execute=True):
        practice.get_latest_revision().publish(user=senior_editor)
    with django_capture_on_commit_callbacks(execute=True):
        practice.refresh_from_db()
        practice.save_revision(user=senior_editor).publish(user=senior_editor)

    [email] = emails_to(submitter.email)
    assert "Your practice is published: Joint PDP reviews" in email.subject
    assert f"http://testserver{practice.url}" in email.body
    # Publishing ended the workflow.
    practice.refresh_from_db()
    assert practice.current_workflow_state is None


def all_emails_to(address):
    return [m for m in mail.outbox if address in m.to]


def decide(practice, action, comment=""):
    """Act on the submission's current workflow task, as a reviewer would."""
    reviewer = UserFactory()
    reviewer.groups.add(Group.objects.get(name="Senior editors"))
    task_state = practice.current_workflow_state.current_task_state
    task_state.task.specific.on_action(task_state, reviewer, action, comment=comment)


def test_the_submitter_is_told_once_when_it_is_sent_back_with_the_comment(
    client, submitter, django_capture_on_commit_callbacks
):
    practice = submitted_practice(client, submitter)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        decide(practice, "reject", comment="Please remove the nominal's initials.")

    [email] = all_emails_to(submitter.email)
    assert "Please remove the nominal's initials." in email.body
    assert "Joint PDP reviews" in email.body + email.subject
    practice.refresh_from_db()
    assert not practice.live


def test_the_submitter_is_told_once_when_a_reviewer_approves_it(
    client, submitter, django_capture_on_commit_callbacks
):
    practice = submitted_practice(client, submitter)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        while practice.current_workflow_state:
            decide(practice, "approve")
            practice.refresh_from_db()

    assert practice.live
    [email] = all_emails_to(submitter.email)
    assert "Joint PDP reviews" in email.body + email.subject


def test_editors_own_pages_send_no_outcome_email(django_capture_on_commit_callbacks):
    practice = PracticePageFactory(live=False)

    with django_capture_on_commit_callbacks(execute=True):
        practice.save_revision().publish()

    assert not [m for m in mail.outbox if "Your practice" in m.subject]


def test_topics_offered_are_the_admin_managed_vocabulary(client, submitter):
    Topic.objects.create(name="Online offending", slug="online-offending")
    client.force_login(submitter)

    client.post(step_url("practice"), step_data("practice"))
    client.post(step_url("evidence"), step_data("evidence"))

    assert "Online offending" in client.get(step_url("context")).content.decode()
