"""Signing up through allauth's real views, and what confirming the address does."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts import audit
from accounts.models import Organisation, User, VerificationMethod
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_signup_sends_a_confirmation_email_and_creates_an_unverified_account(signup):
    response = signup("pat.jones@kent.police.uk")

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="pat.jones@kent.police.uk")
    assert (user.first_name, user.last_name, user.job_title) == (
        "Pat",
        "Jones",
        "MOSOVO detective constable",
    )
    assert not user.is_practitioner
    assert not user.emailaddress_set.get().verified
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["pat.jones@kent.police.uk"]
    assert mail.outbox[0].subject.startswith("[KX] ")
    assert "/accounts/confirm-email/" in mail.outbox[0].body


def test_opening_the_link_does_not_confirm_until_the_button_is_pressed(
    signup, client, confirmation_path
):
    signup("pat.jones@kent.police.uk")

    assert client.get(confirmation_path("pat.jones@kent.police.uk")).status_code == 200

    user = User.objects.get(email="pat.jones@kent.police.uk")
    assert not user.emailaddress_set.get().verified
    assert not user.is_practitioner


def test_confirming_a_police_address_verifies_a_practitioner_of_that_force(signup, confirm_email):
    signup("pat.jones@kent.police.uk")

    response = confirm_email("pat.jones@kent.police.uk")

    assert response.status_code == 302
    user = User.objects.get(email="pat.jones@kent.police.uk")
    assert user.emailaddress_set.get().verified
    assert user.is_practitioner
    assert user.organisation == Organisation.objects.get(slug="kent-police")
    assert user.verification_method == VerificationMethod.DOMAIN
    entry = audit.entries_for(user).get()
    assert entry.action == audit.VERIFIED
    assert "Kent Police" in entry.data["detail"]


def test_a_verified_member_then_signs_in_with_email_and_password(signup, confirm_email, client):
    signup("pat.jones@kent.police.uk")
    confirm_email("pat.jones@kent.police.uk")

    response = client.post(
        reverse("account_login"), {"login": "pat.jones@kent.police.uk", "password": PASSWORD}
    )

    assert response.status_code == 302
    # Issue 12: signing in lands on the home page; the account page still knows them.
    assert response["Location"] == "/"
    profile = client.get(reverse("accounts:profile"))
    assert profile.status_code == 200
    assert "Kent Police" in profile.content.decode()


def test_a_shared_justice_address_is_offered_a_choice_and_choosing_verifies(
    signup, confirm_email, client
):
    signup("priya.shah@justice.gov.uk")
    confirm_email("priya.shah@justice.gov.uk")
    user = User.objects.get(email="priya.shah@justice.gov.uk")
    assert not user.is_practitioner
    assert not audit.entries_for(user).filter(action=audit.VERIFIED).exists()

    client.force_login(user)
    profile = client.get(reverse("accounts:profile"))
    assert profile.context["organisation_choices"].count() == 14
    page = client.get(reverse("accounts:choose_organisation"))
    assert page.status_code == 200
    offered = set(page.context["form"].fields["organisation"].queryset)
    assert len(offered) == 14
    london = Organisation.objects.get(slug="probation-service-london")
    assert london in offered
    assert Organisation.objects.get(slug="kent-police") not in offered

    response = client.post(reverse("accounts:choose_organisation"), {"organisation": london.pk})

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile")
    user.refresh_from_db()
    assert user.organisation == london
    assert user.verification_method == VerificationMethod.DOMAIN
    assert user.is_practitioner
    assert audit.entries_for(user).filter(action=audit.VERIFIED).exists()


def test_an_unknown_domain_stays_unverified_and_is_sent_to_ask_for_verification(
    signup, confirm_email, client
):
    signup("alex@charity.example")
    confirm_email("alex@charity.example")

    user = User.objects.get(email="alex@charity.example")
    assert user.emailaddress_set.get().verified
    assert not user.is_practitioner
    assert user.organisation is None
    assert not audit.entries_for(user).exists()

    client.force_login(user)
    response = client.get(reverse("accounts:choose_organisation"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:verification_request")


def test_a_subdomain_of_a_force_verifies_too(signup, confirm_email):
    signup("analyst@intel.kent.police.uk")
    confirm_email("analyst@intel.kent.police.uk")

    user = User.objects.get(email="analyst@intel.kent.police.uk")
    assert user.organisation.slug == "kent-police"


def test_a_member_who_adds_and_confirms_a_force_address_becomes_a_practitioner(
    client, confirm_email
):
    member = UserFactory(email="pat@example.org")
    client.force_login(member)

    response = client.post(
        reverse("account_email"), {"action_add": "", "email": "pat.jones@kent.police.uk"}
    )

    assert response.status_code == 302
    member.refresh_from_db()
    assert not member.is_practitioner
    confirm_email("pat.jones@kent.police.uk")
    member.refresh_from_db()
    assert member.is_practitioner
    assert member.organisation.slug == "kent-police"
    assert member.email == "pat@example.org"  # the login address is unchanged
