"""Which Wagtail workflow briefings pass through before they are published."""

from wagtail.models import Workflow, WorkflowPage

BRIEFING_WORKFLOW_NAME = "Briefing approval"


def briefing_index_workflow_assign(*, index):
    """Give a briefings index page the "Briefing approval" workflow, unless it has one already.

    Wagtail assigns workflows to pages (and their descendants), not to page types, and the
    data migration can only reach an index page that exists when it runs.
    """
    workflow = Workflow.objects.filter(name=BRIEFING_WORKFLOW_NAME, active=True).first()
    if workflow is None:
        return None
    assignment, _ = WorkflowPage.objects.get_or_create(page=index, defaults={"workflow": workflow})
    return assignment.workflow
