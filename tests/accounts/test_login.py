"""Signing in: by email address, only once the address is confirmed."""

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def login(client, email, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_login_is_by_email_address(client):
    user = UserFactory(email="member@example.org")

    response = login(client, "member@example.org")

    assert response.status_code == 302
    # Issue 12: signing in lands on the home page, with what is next and new for the reader.
    assert response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(user.pk)


def test_signing_in_keeps_the_page_the_member_asked_for(client):
    UserFactory(email="member@example.org")

    response = client.post(
        reverse("account_login") + "?next=/events/",
        {"login": "member@example.org", "password": PASSWORD},
    )

    assert response.status_code == 302
    assert response["Location"] == "/events/"


def test_signing_in_never_follows_a_next_to_another_site(client):
    UserFactory(email="member@example.org")

    response = client.post(
        reverse("account_login") + "?next=https://evil.example/",
        {"login": "member@example.org", "password": PASSWORD},
    )

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_the_login_form_asks_for_an_email_address_not_a_username(client):
    form = client.get(reverse("account_login")).context["form"]

    assert form.fields["login"].label.lower().startswith("email")
    assert "username" not in form.fields


def test_the_email_address_is_matched_whatever_its_case(client):
    user = UserFactory(email="member@example.org")

    response = login(client, "Member@Example.ORG")

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_login_with_an_unconfirmed_address_is_sent_to_confirm_it(client):
    user = UserFactory(email="new@example.org", email_verified=False)

    response = login(client, "new@example.org")

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session
    # A fresh confirmation email is on its way.
    assert [m.to for m in mail.outbox] == [["new@example.org"]]
    assert "/accounts/confirm-email/" in mail.outbox[0].body
    assert client.get(reverse("accounts:profile"))["Location"].startswith(reverse("account_login"))
    assert not user.emailaddress_set.get().verified


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("member@example.org", "not-the-password"),
        ("nobody@example.org", PASSWORD),
        ("", ""),
        ("not-an-email", PASSWORD),
    ],
)
def test_bad_credentials_give_an_error_and_do_not_sign_in(client, email, password):
    UserFactory(email="member@example.org")

    response = login(client, email, password)

    assert response.status_code == 200
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session


def test_a_wrong_password_says_the_details_are_not_correct(client):
    UserFactory(email="member@example.org")

    response = login(client, "member@example.org", "not-the-password")

    assert "not correct" in response.content.decode()


def test_the_admin_login_page_sends_staff_to_the_allauth_login(client):
    response = client.get("/admin/login/")

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next=/admin/"


def test_the_admin_sends_a_signed_out_visitor_to_the_allauth_login(client):
    response = client.get("/admin/", follow=True)

    assert response.redirect_chain
    assert response.request["PATH_INFO"] == reverse("account_login")
