"""Signing up with an address that already has an account reveals nothing to the visitor."""

import pytest
from django.core import mail

from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_signup_with_an_existing_email_looks_the_same_as_a_new_one(signup, client):
    existing = UserFactory(email="pat.jones@kent.police.uk", first_name="Original")

    response_existing = signup("pat.jones@kent.police.uk", first_name="Intruder")
    client.logout()
    response_new = signup("someone.new@kent.police.uk")

    assert response_existing.status_code == response_new.status_code == 302
    assert response_existing["Location"] == response_new["Location"]
    # The existing account is untouched and no second account appears.
    assert User.objects.filter(email="pat.jones@kent.police.uk").count() == 1
    existing.refresh_from_db()
    assert existing.first_name == "Original"


def test_the_existing_account_holder_is_told_by_email_instead(signup):
    UserFactory(email="pat.jones@kent.police.uk")

    signup("pat.jones@kent.police.uk")

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["pat.jones@kent.police.uk"]
    assert "already" in message.subject.lower()
    assert "/accounts/confirm-email/" not in message.body


def test_an_existing_email_in_other_case_is_not_revealed_either(signup):
    UserFactory(email="pat.jones@kent.police.uk")

    response = signup("Pat.Jones@Kent.Police.UK")

    assert response.status_code == 302
    assert User.objects.filter(email__iexact="pat.jones@kent.police.uk").count() == 1
