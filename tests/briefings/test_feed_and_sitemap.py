"""The Atom feed and the sitemap list public briefings only."""

import pytest

from kx_site.audience import Audience, Marking
from tests.factories import PractitionerFactory

from .factories import BriefingPageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def briefings(db):
    return {
        "public": BriefingPageFactory(
            title="Public briefing", audience=Audience.PUBLIC, summary="Open summary."
        ),
        "sensitive": BriefingPageFactory(
            title="Public sensitive briefing",
            audience=Audience.PUBLIC,
            marking=Marking.OFFICIAL_SENSITIVE,
            summary="Sensitive summary text.",
        ),
        "registered": BriefingPageFactory(
            title="Registered briefing", audience=Audience.REGISTERED
        ),
        "practitioners": BriefingPageFactory(
            title="Practitioners briefing", audience=Audience.PRACTITIONERS
        ),
        "restricted": BriefingPageFactory(
            title="Police briefing",
            audience=Audience.RESTRICTED,
            restricted_to_kinds=["police_force"],
        ),
        "draft": BriefingPageFactory(title="Draft briefing", audience=Audience.PUBLIC, live=False),
    }


def test_the_feed_is_atom_and_lists_public_live_briefings_only(client, briefings):
    response = client.get("/briefings/feed/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    content = response.content.decode()
    assert "Public briefing" in content
    assert "Open summary." in content
    assert "http://testserver/briefings/" in content
    for hidden in ("Registered briefing", "Practitioners briefing", "Police briefing", "Draft"):
        assert hidden not in content


def test_the_feed_is_the_same_for_a_signed_in_practitioner(client, briefings):
    client.force_login(PractitionerFactory())

    content = client.get("/briefings/feed/").content.decode()

    assert "Practitioners briefing" not in content
    assert "Police briefing" not in content


def test_the_feed_names_a_sensitive_briefing_without_quoting_it(client, briefings):
    content = client.get("/briefings/feed/").content.decode()

    assert "Public sensitive briefing" in content
    assert "Sensitive summary text." not in content


def test_the_sitemap_lists_public_briefings_only(client, briefings):
    content = client.get("/sitemap.xml").content.decode()

    assert briefings["public"].url in content
    for key in ("registered", "practitioners", "restricted", "draft"):
        assert briefings[key].url not in content


def test_the_feed_runs_the_same_queries_for_40_briefings_as_for_4(
    client, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for n in range(4):
        BriefingPageFactory(audience=Audience.PUBLIC, title=f"Feed briefing {n}")
    client.get("/briefings/feed/")
    with CaptureQueriesContext(connection) as small:
        client.get("/briefings/feed/")
    for n in range(4, 40):
        BriefingPageFactory(audience=Audience.PUBLIC, title=f"Feed briefing {n}")

    with django_assert_max_num_queries(len(small.captured_queries)):
        content = client.get("/briefings/feed/").content.decode()

    assert content.count("<entry>") == 40
