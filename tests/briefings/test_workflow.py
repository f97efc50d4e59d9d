"""Publishing: the "Briefing approval" workflow, emails to the author, scheduled go-live."""

from datetime import timedelta
from unittest import mock

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from wagtail.models import GroupApprovalTask, Workflow, WorkflowPage

from accounts.models import User
from briefings.services import subscription_save
from kx_site.audience import Audience
from tests.factories import StandardPageFactory, UserFactory

from .factories import BriefingPageFactory

pytestmark = pytest.mark.django_db


def staff(email, group):
    user = User.objects.create_user(email=email, password="x" * 14, first_name=email[:4])
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def editor(db):
    return staff("writer@kx.example", "Editors")


@pytest.fixture
def senior_editor(db):
    return staff("approver@kx.example", "Senior editors")


def submitted_briefing(editor, **fields):
    briefing = BriefingPageFactory(live=False, owner=editor, **fields)
    revision = briefing.save_revision(user=editor)
    workflow = briefing.get_workflow()
    workflow.start(briefing, editor)
    assert revision
    briefing.refresh_from_db()
    return briefing


def to(address):
    return [message for message in mail.outbox if address in message.to]


def test_the_migration_sets_up_briefing_approval_by_senior_editors(db):
    workflow = Workflow.objects.get(name="Briefing approval")
    tasks = [task.specific for task in workflow.tasks]

    assert workflow.active
    assert len(tasks) == 1
    assert isinstance(tasks[0], GroupApprovalTask)
    assert [group.name for group in tasks[0].groups.all()] == ["Senior editors"]


def test_the_briefings_index_gets_the_workflow_when_it_is_created(index):
    assignment = WorkflowPage.objects.get(page=index)

    assert assignment.workflow.name == "Briefing approval"
    assert BriefingPageFactory(live=False).get_workflow() == assignment.workflow


def test_approval_publishes_and_emails_the_author_once_with_the_comment(
    editor, senior_editor, django_capture_on_commit_callbacks
):
    briefing = submitted_briefing(editor, title="MAPPA levels briefing")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        briefing.current_workflow_task_state.approve(user=senior_editor, comment="Clear. Go.")

    briefing.refresh_from_db()
    assert briefing.live
    messages = to("writer@kx.example")
    assert len(messages) == 1
    assert "Approved: MAPPA levels briefing" in messages[0].subject
    assert "Clear. Go." in messages[0].body
    assert f"http://testserver{briefing.url}" in messages[0].body


def test_rejection_emails_the_author_once_with_the_reviewers_comment(
    editor, senior_editor, django_capture_on_commit_callbacks
):
    briefing = submitted_briefing(editor, title="Draft on notification")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        briefing.current_workflow_task_state.reject(
            user=senior_editor, comment="Check the figures in finding 2."
        )

    briefing.refresh_from_db()
    assert not briefing.live
    messages = to("writer@kx.example")
    assert len(messages) == 1
    assert "Changes requested: Draft on notification" in messages[0].subject
    assert "Check the figures in finding 2." in messages[0].body


def test_the_author_email_works_for_any_page_in_a_workflow(
    editor, senior_editor, django_capture_on_commit_callbacks
):
    page = StandardPageFactory(live=False, owner=editor, title="Guidance draft")
    page.save_revision(user=editor)
    page.get_workflow().start(page, editor)
    page.refresh_from_db()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        page.current_workflow_task_state.reject(user=senior_editor, comment="Too long.")

    messages = to("writer@kx.example")
    assert len(messages) == 1
    assert "Too long." in messages[0].body


def test_approving_ones_own_submission_sends_no_email_to_oneself(
    senior_editor, django_capture_on_commit_callbacks
):
    briefing = submitted_briefing(senior_editor)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        briefing.current_workflow_task_state.approve(user=senior_editor)

    assert to("approver@kx.example") == []


def test_approval_tells_subscribers_once(
    editor, senior_editor, django_capture_on_commit_callbacks
):
    subscription_save(user=UserFactory(email="reader@example.org"), all_briefings=True)
    briefing = submitted_briefing(editor, audience=Audience.PUBLIC)

    with django_capture_on_commit_callbacks(execute=True):
        briefing.current_workflow_task_state.approve(user=senior_editor)

    assert len(to("reader@example.org")) == 1


def test_scheduled_go_live_publishes_and_tells_subscribers_once(
    django_capture_on_commit_callbacks,
):
    subscription_save(user=UserFactory(email="reader@example.org"), all_briefings=True)
    briefing = BriefingPageFactory(live=False, audience=Audience.PUBLIC, title="Scheduled")
    briefing.go_live_at = timezone.now() + timedelta(days=1)
    revision = briefing.save_revision()
    with django_capture_on_commit_callbacks(execute=True):
        revision.publish()
    briefing.refresh_from_db()
    assert not briefing.live
    assert mail.outbox == []

    # Two days later the schedule is due: cron runs the command, and runs it again.
    later = timezone.now() + timedelta(days=2)
    with (
        mock.patch("django.utils.timezone.now", return_value=later),
        django_capture_on_commit_callbacks(execute=True),
    ):
        call_command("publish_scheduled")
        call_command("publish_scheduled")

    briefing.refresh_from_db()
    assert briefing.live
    assert len(to("reader@example.org")) == 1
