"""The home page lists only the sections the visitor may see."""

import pytest

from accounts.models import OrganisationKind
from kx_site.audience import Audience
from tests.factories import OrganisationFactory, PractitionerFactory, StandardPageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sections():
    return {
        "public": StandardPageFactory(
            title="Public section", audience=Audience.PUBLIC, show_in_menus=True
        ),
        "practitioners": StandardPageFactory(
            title="Practitioner section", audience=Audience.PRACTITIONERS, show_in_menus=True
        ),
        "probation": StandardPageFactory(
            title="Probation-only section",
            audience=Audience.RESTRICTED,
            restricted_to_kinds=[OrganisationKind.PROBATION_REGION],
            show_in_menus=True,
        ),
        "hidden": StandardPageFactory(
            title="Not in menus", audience=Audience.PUBLIC, show_in_menus=False
        ),
        "draft": StandardPageFactory(
            title="Draft section", audience=Audience.PUBLIC, show_in_menus=True, live=False
        ),
    }


def titles(response):
    return {page.title for page in response.context["sections"]}


def test_anonymous_visitors_see_public_sections_only(client, sections):
    response = client.get("/")

    assert response.status_code == 200
    assert titles(response) == {"Public section"}
    body = response.content.decode()
    assert "Public section" in body
    assert "Practitioner section" not in body
    assert "Probation-only section" not in body


def test_a_police_practitioner_sees_practitioner_sections_but_not_probation_only(client, sections):
    client.force_login(PractitionerFactory())

    response = client.get("/")

    assert titles(response) == {"Public section", "Practitioner section"}
    assert "Probation-only section" not in response.content.decode()


def test_the_home_page_is_public(client):
    response = client.get("/")

    assert response.status_code == 200
    assert "private" not in response.get("Cache-Control", "")


def test_the_home_page_runs_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    client.force_login(PractitionerFactory())
    StandardPageFactory(title="First section", show_in_menus=True)
    with django_assert_max_num_queries(15) as one_section:
        client.get("/")

    for n in range(25):
        OrganisationFactory(domains=[f"partner{n}.example"])
        StandardPageFactory(
            title=f"Section {n}",
            show_in_menus=True,
            audience=[Audience.PUBLIC, Audience.PRACTITIONERS][n % 2],
        )
    with django_assert_max_num_queries(len(one_section.captured_queries)):
        response = client.get("/")

    assert len(response.context["sections"]) == 26
