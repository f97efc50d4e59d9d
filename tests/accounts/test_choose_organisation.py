"""A member whose confirmed domain is shared picks the organisation that is theirs."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts import audit, services
from accounts.models import Organisation
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("accounts:choose_organisation")


@pytest.fixture
def probation_member(client):
    member = UserFactory(email="priya@justice.gov.uk")
    client.force_login(member)
    return member


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "Choose which organisation you belong to"),
        ("not-a-number", "Select a valid choice"),
        ("kent-police", "Select a valid choice"),
    ],
)
def test_bad_input_gives_a_clear_error_and_verifies_nothing(
    client, probation_member, value, message
):
    if value == "kent-police":
        value = Organisation.objects.get(slug="kent-police").pk

    response = client.post(URL, {"organisation": value})

    assert response.status_code == 200
    assert any(message in e for e in response.context["form"].errors["organisation"])
    assert message in response.content.decode()
    probation_member.refresh_from_db()
    assert not probation_member.is_practitioner
    assert not audit.ACCOUNT_LOG.entries().exists()


def test_an_unconfirmed_address_offers_no_choice(client):
    member = UserFactory(email="priya@justice.gov.uk", email_verified=False)
    client.force_login(member)

    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:verification_request")


def test_the_service_refuses_an_organisation_the_member_has_no_address_for(probation_member):
    with pytest.raises(ValidationError):
        services.practitioner_choose_organisation(
            user=probation_member, organisation=Organisation.objects.get(slug="kent-police")
        )
    probation_member.refresh_from_db()
    assert not probation_member.is_practitioner


def test_choosing_a_national_body_on_the_shared_domain_works(client, probation_member):
    hmpps = Organisation.objects.get(name="HM Prison and Probation Service")

    response = client.post(URL, {"organisation": hmpps.pk})

    assert response.status_code == 302
    probation_member.refresh_from_db()
    assert probation_member.organisation == hmpps
