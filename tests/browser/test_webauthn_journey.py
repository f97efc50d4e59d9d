"""A member adds a security key and signs in with it, using Chromium's virtual authenticator.

The live server runs on http://localhost, which browsers treat as a secure context, and allauth
takes the WebAuthn RP ID ("localhost") from the host, so no insecure-origin setting is needed.
"""

import re

from allauth.mfa.models import Authenticator
from playwright.sync_api import expect

from .conftest import PASSWORD, assert_accessible, browser_journey, make_user, sign_in


def add_virtual_authenticator(page):
    """A USB security key that is always present and verifies its user (PIN or fingerprint)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp


@browser_journey
def test_member_adds_a_security_key_then_signs_in_with_it(page, site_url):
    assert site_url.startswith("http://localhost:")
    member = make_user("s.key@kent.police.uk", first_name="Sam", last_name="Key")
    add_virtual_authenticator(page)

    sign_in(page, member.email)
    page.goto("/accounts/2fa/")
    assert_accessible(page)
    page.get_by_role("link", name="Add a security key").click()
    # Adding a second factor is sensitive: allauth asks for the password once more.
    assert "/accounts/reauthenticate/" in page.url
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()

    page.wait_for_url("**/accounts/2fa/webauthn/add/")
    # The page's script shows the form and hides the "needs JavaScript" text: wait for it.
    expect(page.get_by_role("button", name="Add security key")).to_be_visible()
    expect(page.get_by_text("Adding a security key needs JavaScript")).to_be_hidden()
    assert_accessible(page)
    page.get_by_label("Name of your security key").fill("Desk key")
    page.get_by_role("button", name="Add security key").click()

    # The first second factor comes with recovery codes.
    page.wait_for_url(re.compile(r"/accounts/2fa/recovery-codes/"))
    assert_accessible(page)
    key = Authenticator.objects.get(user=member, type=Authenticator.Type.WEBAUTHN)
    assert key.wrap().name == "Desk key"
    page.goto("/accounts/2fa/")
    expect(page.get_by_text("1 security key added")).to_be_visible()
    page.get_by_role("link", name="Manage security keys").click()
    expect(page.get_by_role("rowheader", name="Desk key")).to_be_visible()
    assert_accessible(page)

    page.goto("/accounts/logout/")
    page.get_by_role("button", name=re.compile("Sign out", re.I)).click()

    sign_in(page, member.email)
    assert "/accounts/2fa/authenticate/" in page.url
    expect(page.get_by_role("heading", name="Use your security key")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Use your security key").click()

    page.wait_for_url(lambda url: "/accounts/2fa/authenticate/" not in url)
    response = page.goto("/accounts/profile/")
    assert response.status == 200
    assert "/accounts/profile/" in page.url
    key.refresh_from_db()
    assert key.last_used_at is not None


@browser_journey
def test_without_javascript_the_add_page_offers_the_authenticator_app(new_page):
    member = make_user("n.script@kent.police.uk")
    page = new_page(javascript=False)

    sign_in(page, member.email)
    page.goto("/accounts/2fa/webauthn/add/")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()

    assert "/accounts/2fa/webauthn/add/" in page.url
    expect(page.get_by_text("Adding a security key needs JavaScript")).to_be_visible()
    expect(page.get_by_role("button", name="Add security key")).to_be_hidden()
    assert_accessible(page)
    page.get_by_role("link", name="set up an authenticator app").click()
    assert "/accounts/2fa/totp/activate/" in page.url
