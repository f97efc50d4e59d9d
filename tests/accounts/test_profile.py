"""The "My account" page: details, addresses, MFA and verification status."""

import pytest
from django.urls import reverse

from accounts.models import Organisation
from tests.factories import (
    OrganisationFactory,
    PractitionerFactory,
    StandardPageFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

URL = reverse("accounts:profile")


def test_the_profile_needs_a_signed_in_member(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={URL}"


def test_the_profile_shows_name_organisation_role_and_addresses(practitioner_client, practitioner):
    practitioner.emailaddress_set.create(email="pat@example.org", verified=False)

    response = practitioner_client.get(URL)

    assert response.status_code == 200
    body = response.content.decode()
    assert practitioner.email in body
    assert "pat@example.org" in body
    assert "Kent Police" in body
    assert practitioner.job_title in body
    assert response.context["organisation_choices"] is None
    assert list(response.context["authenticators"]) == []


def test_editing_details_saves_them(user_client, user):
    response = user_client.post(
        URL, {"first_name": "Robin", "last_name": "O'Neill", "job_title": "Analyst"}
    )

    assert response.status_code == 302
    assert response["Location"] == URL
    user.refresh_from_db()
    assert (user.first_name, user.last_name, user.job_title) == ("Robin", "O'Neill", "Analyst")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"first_name": "", "last_name": "Jones", "job_title": "PC"}, "first_name"),
        ({"first_name": "Pat", "last_name": "", "job_title": "PC"}, "last_name"),
        ({"first_name": "Pat", "last_name": "Jones", "job_title": ""}, "job_title"),
        ({"first_name": "x" * 151, "last_name": "Jones", "job_title": "PC"}, "first_name"),
    ],
)
def test_bad_input_gives_a_clear_error_and_changes_nothing(user_client, user, data, field):
    before = (user.first_name, user.last_name, user.job_title)

    response = user_client.post(URL, data)

    assert response.status_code == 200
    assert response.context["form"].errors[field]
    body = response.content.decode()
    assert any(error in body for error in response.context["form"].errors[field])
    user.refresh_from_db()
    assert (user.first_name, user.last_name, user.job_title) == before


def test_the_profile_runs_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    practitioner = PractitionerFactory()
    client.force_login(practitioner)
    with django_assert_max_num_queries(15) as few:
        assert client.get(URL).status_code == 200

    # Many more organisations, pages and addresses add no queries.
    for n in range(20):
        OrganisationFactory(domains=[f"org{n}.example"])
        StandardPageFactory()
        practitioner.emailaddress_set.create(email=f"pat{n}@example.org", verified=True)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(URL)

    assert len(response.context["email_addresses"]) == 21


def test_a_member_with_a_shared_domain_sees_the_choice_with_bounded_queries(
    client, django_assert_max_num_queries
):
    member = UserFactory(email="priya@justice.gov.uk")
    client.force_login(member)

    with django_assert_max_num_queries(20):
        response = client.get(URL)

    assert (
        response.context["organisation_choices"].count()
        == Organisation.objects.filter(domains__domain="justice.gov.uk").count()
    )
