"""Issue 12: confirming the email right after signing up signs the new member in and lands on
"Your account" with the next steps; a confirmation link alone never signs anyone in."""

from django.test import Client
from django.urls import reverse

from accounts.models import User

NEXT_STEPS = 'id="next-steps"'


def test_confirming_in_the_signup_session_signs_in_and_shows_the_next_steps(
    signup, confirm_email, client
):
    signup("alex@charity.example")
    # Mandatory verification: before confirming, the new member is not signed in.
    assert "_auth_user_id" not in client.session

    response = confirm_email("alex@charity.example")

    user = User.objects.get(email="alex@charity.example")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile")
    assert int(client.session["_auth_user_id"]) == user.pk
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert NEXT_STEPS in html
    # An unknown domain: not verified, so the next step is asking to be verified.
    assert "You are not yet a verified practitioner" in html
    assert f'href="{reverse("accounts:verification_request")}">ask to be verified' in html
    assert 'href="/events/"' in html
    assert 'href="/library/"' in html


def test_a_practitioner_verified_by_their_address_is_told_so(signup, confirm_email, client):
    signup("pat.jones@kent.police.uk")
    response = confirm_email("pat.jones@kent.police.uk")

    html = client.get(response["Location"]).content.decode()
    assert "You are a verified practitioner at Kent Police." in html
    assert "You are not yet a verified practitioner" not in html


def test_confirming_from_another_browser_still_asks_to_sign_in(signup, confirmation_path):
    signup("alex@charity.example")
    other_browser = Client()
    path = confirmation_path("alex@charity.example")
    assert other_browser.get(path).status_code == 200

    response = other_browser.post(path)

    user = User.objects.get(email="alex@charity.example")
    assert user.emailaddress_set.get().verified
    assert "_auth_user_id" not in other_browser.session
    assert response.status_code == 302
    assert response["Location"] == reverse("account_login")
    assert other_browser.get(reverse("accounts:profile")).status_code == 302
