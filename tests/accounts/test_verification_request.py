"""A member whose domain is not registered asks to be verified."""

import pytest
from django.urls import reverse

from accounts import audit, services
from accounts.models import Organisation, VerificationRequest
from tests.factories import PractitionerFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("accounts:verification_request")


@pytest.fixture
def home_office():
    return Organisation.objects.get(slug="home-office")


def valid_data(chosen, **overrides):
    return {
        "organisation": chosen.pk,
        "job_title": "Programme manager",
        "reason": "I run a Home Office-funded programme with MOSOVO teams.",
        **overrides,
    }


def test_the_form_needs_a_signed_in_member(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_request_is_created_pending_with_an_audit_entry(user_client, user, home_office):
    response = user_client.post(URL, valid_data(home_office))

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile")
    request = VerificationRequest.objects.get(user=user)
    assert request.status == VerificationRequest.Status.PENDING
    assert request.organisation == home_office
    assert request.job_title == "Programme manager"
    assert "MOSOVO" in request.reason
    assert audit.entries_for(user).filter(action=audit.VERIFICATION_REQUESTED).exists()
    user.refresh_from_db()
    assert not user.is_practitioner


def test_the_profile_then_shows_the_pending_request(user_client, user, home_office):
    user_client.post(URL, valid_data(home_office))

    response = user_client.get(reverse("accounts:profile"))

    assert response.context["pending_request"].organisation == home_office
    assert "Home Office" in response.content.decode()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"organisation": ""}, "organisation", "Choose your organisation"),
        ({"organisation": "999999"}, "organisation", "Select a valid choice"),
        ({"job_title": ""}, "job_title", "Enter your role"),
        ({"job_title": "x" * 201}, "job_title", "at most 200 characters"),
        ({"reason": ""}, "reason", "Enter why you need practitioner access"),
        ({"reason": "   "}, "reason", "Enter why you need practitioner access"),
        ({"reason": "x" * 2001}, "reason", "at most 2000 characters"),
    ],
)
def test_bad_input_gives_a_clear_error_and_creates_nothing(
    user_client, home_office, overrides, field, message
):
    response = user_client.post(URL, valid_data(home_office, **overrides))

    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not VerificationRequest.objects.exists()
    assert not audit.ACCOUNT_LOG.entries().exists()


def test_an_inactive_organisation_cannot_be_chosen(user_client, home_office):
    home_office.is_active = False
    home_office.save()

    response = user_client.post(URL, valid_data(home_office))

    assert response.status_code == 200
    assert "organisation" in response.context["form"].errors
    assert not VerificationRequest.objects.exists()


def test_a_second_pending_request_is_refused_with_a_clear_error(user_client, user, home_office):
    user_client.post(URL, valid_data(home_office))
    nca = Organisation.objects.get(slug="national-crime-agency")

    response = user_client.post(URL, valid_data(nca), follow=True)

    # The form does not open again: the member is sent back to their account page and told.
    assert response.redirect_chain == [("/accounts/profile/", 302)]
    assert "already have a request waiting" in response.content.decode()
    assert list(VerificationRequest.objects.values_list("organisation", flat=True)) == [
        home_office.pk
    ]


def test_a_practitioner_cannot_ask_again_for_their_own_organisation(client):
    practitioner = PractitionerFactory()
    client.force_login(practitioner)

    response = client.post(URL, valid_data(practitioner.organisation))

    assert response.status_code == 200
    assert "already a verified member" in str(response.context["form"].non_field_errors())
    assert not VerificationRequest.objects.exists()


def test_a_practitioner_may_ask_to_move_to_another_organisation(client):
    practitioner = PractitionerFactory()
    client.force_login(practitioner)
    nca = Organisation.objects.get(slug="national-crime-agency")

    response = client.post(URL, valid_data(nca))

    assert response.status_code == 302
    assert VerificationRequest.objects.get().organisation == nca


def test_being_verified_by_domain_withdraws_a_pending_request(home_office):
    user = UserFactory(email="pc@example.org")
    services.verification_request_create(
        user=user, organisation=home_office, job_title="PC", reason="New force address soon."
    )
    user.emailaddress_set.create(email="pc@kent.police.uk", verified=True)

    services.practitioner_verify_from_email(user=user, email="pc@kent.police.uk")

    assert VerificationRequest.objects.get().status == VerificationRequest.Status.WITHDRAWN
