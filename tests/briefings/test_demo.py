"""The demo briefings: five interim findings, a final report with 17 recommendations."""

import pytest
from django.core import mail
from wagtail.models import WorkflowPage

from briefings.demo import ensure_demo_briefings
from briefings.models import BriefingIndexPage, BriefingPage, Recommendation
from briefings.selectors import recommendation_counts, visible_recommendations
from kx_site.audience import Audience, Marking
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_demo_adds_the_study_once(client):
    ensure_demo_briefings()
    ensure_demo_briefings()

    briefings = BriefingPage.objects.live()
    final = briefings.get(status="final")
    interims = briefings.filter(status="interim")
    assert interims.count() == 5
    assert set(final.supersedes.all()) == set(interims)
    assert Recommendation.objects.filter(briefing=final).count() == 17
    counts = recommendation_counts(visible_recommendations(UserFactory()))
    assert (counts["total"], counts["implemented"]) == (17, 10)
    assert Recommendation.objects.filter(history__isnull=False).distinct().count() == 16
    assert interims.filter(audience=Audience.PRACTITIONERS).count() == 2
    assert interims.filter(marking=Marking.OFFICIAL_SENSITIVE).count() == 1
    assert briefings.filter(audience=Audience.PUBLIC).count() == 4
    index = BriefingIndexPage.objects.get()
    assert WorkflowPage.objects.get(page=index).workflow.name == "Briefing approval"

    tracker = client.get("/briefings/recommendations/").content.decode()
    assert "17 recommendations, 10 implemented" in tracker
    interim_page = client.get(interims.filter(audience=Audience.PUBLIC).first().url)
    assert "This briefing has been replaced by" in interim_page.content.decode()
    assert mail.outbox == []


def test_republishing_the_demo_final_report_keeps_its_recommendations(db):
    ensure_demo_briefings()
    final = BriefingPage.objects.get(status="final")

    final.title = "Joint offender management: final report (revised)"
    final.save_revision().publish()

    assert Recommendation.objects.filter(briefing=final).count() == 17
    counts = recommendation_counts(visible_recommendations(UserFactory()))
    assert counts["implemented"] == 10
