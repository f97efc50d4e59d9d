"""A final report supersedes interim briefings: they point to it, and their readers are told."""

import pytest

from kx_site.audience import Audience
from tests.factories import PractitionerFactory, ProbationPractitionerFactory

from .factories import BriefingPageFactory

pytestmark = pytest.mark.django_db


def supersede(final, *earlier):
    final.supersedes.set(earlier)
    final.save()


def test_a_superseded_briefing_shows_a_banner_linking_to_its_successor(practitioner_client):
    interim = BriefingPageFactory(title="Interim findings")
    final = BriefingPageFactory(title="Final report", status="final")
    supersede(final, interim)

    content = practitioner_client.get(interim.url).content.decode()

    assert "govuk-notification-banner" in content
    assert "This briefing has been replaced by" in content
    assert f'href="{final.url}"' in content
    assert "govuk-notification-banner" not in practitioner_client.get(final.url).content.decode()


def test_no_banner_while_the_successor_is_a_draft(practitioner_client):
    interim = BriefingPageFactory(title="Interim findings")
    final = BriefingPageFactory(title="Draft final report", live=False)
    supersede(final, interim)

    content = practitioner_client.get(interim.url).content.decode()

    assert "govuk-notification-banner" not in content
    assert "Draft final report" not in content


def test_a_successor_the_reader_may_not_see_is_not_named(client):
    interim = BriefingPageFactory(title="Interim findings", audience=Audience.PRACTITIONERS)
    final = BriefingPageFactory(
        title="Police-only final report",
        audience=Audience.RESTRICTED,
        restricted_to_kinds=["police_force"],
    )
    supersede(final, interim)

    client.force_login(ProbationPractitionerFactory())
    probation = client.get(interim.url).content.decode()
    client.force_login(PractitionerFactory())
    police = client.get(interim.url).content.decode()

    assert "Police-only final report" not in probation
    assert "Police-only final report" in police
