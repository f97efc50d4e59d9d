"""Wagtail's publishing events, passed on to the briefings services.

Publication is the one moment every path shares (publish button, workflow approval,
``publish_scheduled``), so the announcement hangs off ``page_published``.
"""

from django.db.models.signals import post_save
from wagtail.models import WorkflowState
from wagtail.signals import page_published, workflow_approved, workflow_rejected

from . import services
from .models import BriefingIndexPage, BriefingPage
from .workflow import briefing_index_workflow_assign

# Wagtail's admin connects its own approval and rejection emails under these ids when its app
# is ready. This app is ready first; a receiver already registered under the same id wins, so
# ours (sent after commit, with retry, with the reviewer's comment) replace Wagtail's and the
# author gets one email, not two.
WAGTAIL_APPROVED_UID = "workflow_state_approved_email_notification"
WAGTAIL_REJECTED_UID = "workflow_state_rejected_email_notification"


def announce_briefing(sender, instance, **kwargs):
    services.briefing_announce(briefing=instance)


def assign_briefing_workflow(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        briefing_index_workflow_assign(index=instance)


def tell_author_approved(sender, instance, user=None, **kwargs):
    services.workflow_outcome_notify(workflow_state=instance, actor=user, approved=True)


def tell_author_rejected(sender, instance, user=None, **kwargs):
    services.workflow_outcome_notify(workflow_state=instance, actor=user, approved=False)


def connect():
    page_published.connect(announce_briefing, sender=BriefingPage, dispatch_uid="kx_announce")
    post_save.connect(
        assign_briefing_workflow, sender=BriefingIndexPage, dispatch_uid="kx_briefing_workflow"
    )
    workflow_approved.connect(
        tell_author_approved, sender=WorkflowState, dispatch_uid=WAGTAIL_APPROVED_UID
    )
    workflow_rejected.connect(
        tell_author_rejected, sender=WorkflowState, dispatch_uid=WAGTAIL_REJECTED_UID
    )
