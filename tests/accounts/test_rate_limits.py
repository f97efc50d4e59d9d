"""Repeated failed logins are rate limited (ACCOUNT_RATE_LIMITS["login_failed"])."""

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def login(client, email, password):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_after_five_failures_for_one_address_even_the_right_password_is_refused(client):
    UserFactory(email="target@kent.police.uk")
    for _ in range(5):
        response = login(client, "target@kent.police.uk", "guess-password")
        assert "not correct" in response.content.decode()

    response = login(client, "target@kent.police.uk", PASSWORD)

    # allauth refuses on the form (status 200) rather than with a bare 429.
    assert response.status_code == 200
    assert "Too many failed login attempts" in str(response.context["form"].non_field_errors())
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_limit_is_per_address(client):
    UserFactory(email="target@kent.police.uk")
    UserFactory(email="other@kent.police.uk")
    for _ in range(5):
        login(client, "target@kent.police.uk", "guess-password")

    response = login(client, "other@kent.police.uk", PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"]


def test_four_failures_do_not_lock_the_account(client):
    UserFactory(email="target@kent.police.uk")
    for _ in range(4):
        login(client, "target@kent.police.uk", "guess-password")

    response = login(client, "target@kent.police.uk", PASSWORD)

    assert response.status_code == 302


def test_ten_failures_from_one_address_block_that_ip_for_every_account(client):
    UserFactory(email="target@kent.police.uk")
    for n in range(10):
        login(client, f"guess{n}@kent.police.uk", "guess-password")

    response = login(client, "target@kent.police.uk", PASSWORD)

    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
