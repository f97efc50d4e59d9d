"""Security keys (WebAuthn) as a second factor: settings, pages, and the staff rule.

The key is a software authenticator made with fido2 and cryptography, so registration and
sign-in go through allauth's real views and fido2's real checks.
"""

import hashlib
import json
import os

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from allauth.mfa.webauthn.internal.auth import WebAuthn
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from fido2.cose import ES256
from fido2.webauthn import (
    AttestationObject,
    AttestedCredentialData,
    AuthenticationResponse,
    AuthenticatorAssertionResponse,
    AuthenticatorAttestationResponse,
    AuthenticatorData,
    CollectedClientData,
    RegistrationResponse,
)

from accounts.adapters import MFAAdapter
from accounts.demo import current_totp_code
from tests.factories import PASSWORD, PractitionerFactory, UserFactory

pytestmark = pytest.mark.django_db

# allauth takes the RP ID from the request's host, and fido2 accepts plain http only for
# localhost (as browsers do), so these tests' client talks to http://localhost.
ORIGIN = "http://localhost"
RP_ID = "localhost"


class SoftwareKey:
    """A security key in memory: answers allauth's creation and request options."""

    def __init__(self):
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(16)
        self.sign_count = 0

    def _auth_data(self, flags, credential_data=b""):
        rp_id_hash = hashlib.sha256(RP_ID.encode()).digest()
        flags |= AuthenticatorData.FLAG.UP | AuthenticatorData.FLAG.UV
        return AuthenticatorData.create(rp_id_hash, flags, self.sign_count, credential_data)

    def register(self, creation_options) -> str:
        client_data = CollectedClientData.create(
            type="webauthn.create",
            challenge=creation_options["publicKey"]["challenge"],
            origin=ORIGIN,
        )
        public_key = ES256.from_cryptography_key(self.private_key.public_key())
        credential_data = AttestedCredentialData.create(b"\0" * 16, self.credential_id, public_key)
        auth_data = self._auth_data(AuthenticatorData.FLAG.AT, credential_data)
        response = RegistrationResponse(
            raw_id=self.credential_id,
            response=AuthenticatorAttestationResponse(
                client_data=client_data,
                attestation_object=AttestationObject.create("none", auth_data, {}),
            ),
        )
        return json.dumps(dict(response))

    def sign(self, request_options) -> str:
        client_data = CollectedClientData.create(
            type="webauthn.get",
            challenge=request_options["publicKey"]["challenge"],
            origin=ORIGIN,
        )
        self.sign_count += 1
        auth_data = self._auth_data(AuthenticatorData.FLAG(0))
        signature = self.private_key.sign(auth_data + client_data.hash, ec.ECDSA(hashes.SHA256()))
        response = AuthenticationResponse(
            raw_id=self.credential_id,
            response=AuthenticatorAssertionResponse(
                client_data=client_data, authenticator_data=auth_data, signature=signature
            ),
        )
        return json.dumps(dict(response))


def add_security_key(client, name="Blue YubiKey"):
    """Add a key through allauth's add page, as the browser would; returns the key."""
    key = SoftwareKey()
    page = client.get(reverse("mfa_add_webauthn"))
    assert page.status_code == 200
    credential = key.register(page.context["js_data"]["creation_options"])
    response = client.post(reverse("mfa_add_webauthn"), {"name": name, "credential": credential})
    assert response.status_code == 302, response.context and response.context["form"].errors
    return key


def security_key_for(user, name="Blue YubiKey"):
    """A WebAuthn authenticator made directly, for tests that do not need to sign with it."""
    key = SoftwareKey()
    public_key = ES256.from_cryptography_key(key.private_key.public_key())
    credential_data = AttestedCredentialData.create(b"\0" * 16, key.credential_id, public_key)
    auth_data = key._auth_data(AuthenticatorData.FLAG.AT, credential_data)
    client_data = CollectedClientData.create(type="webauthn.create", challenge=b"x", origin=ORIGIN)
    credential = RegistrationResponse(
        raw_id=key.credential_id,
        response=AuthenticatorAttestationResponse(
            client_data=client_data,
            attestation_object=AttestationObject.create("none", auth_data, {}),
        ),
    )
    return WebAuthn.add(user, name, json.loads(json.dumps(dict(credential)))).instance


def reauthenticate(client):
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302


@pytest.fixture
def client():
    return Client(SERVER_NAME=RP_ID)


@pytest.fixture
def editor():
    user = UserFactory()
    user.groups.add(Group.objects.get(name="Editors"))
    return user


def test_security_keys_are_on_as_a_second_factor_only():
    assert "webauthn" in mfa_settings.SUPPORTED_TYPES
    assert mfa_settings.PASSKEY_LOGIN_ENABLED is False
    assert mfa_settings.PASSKEY_SIGNUP_ENABLED is False
    assert mfa_settings.WEBAUTHN_ALLOW_INSECURE_ORIGIN is False


def test_the_mfa_page_offers_to_add_a_security_key(client):
    client.force_login(PractitionerFactory())

    response = client.get(reverse("mfa_index"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Security keys" in html
    assert "None added" in html
    assert reverse("mfa_add_webauthn") in html
    assert f'href="{reverse("mfa_list_webauthn")}"' not in html


def test_the_mfa_page_lists_security_keys_with_add_and_manage_links(client):
    member = PractitionerFactory()
    security_key_for(member)
    client.force_login(member)

    response = client.get(reverse("mfa_index"))

    html = response.content.decode()
    assert "1 security key added" in html
    assert reverse("mfa_list_webauthn") in html
    assert reverse("mfa_add_webauthn") in html

    listing = client.get(reverse("mfa_list_webauthn"))
    assert listing.status_code == 200
    assert 'class="govuk-table"' in listing.content.decode()
    assert "Blue YubiKey" in listing.content.decode()


def test_the_add_page_says_it_needs_javascript_and_has_no_button_without_it(client):
    client.force_login(PractitionerFactory())
    reauthenticate(client)

    response = client.get(reverse("mfa_add_webauthn"))

    html = response.content.decode()
    assert response.status_code == 200
    assert '<h1 class="govuk-heading-l">Add a security key</h1>' in html
    assert "Adding a security key needs JavaScript" in html
    assert reverse("mfa_activate_totp") in html
    # The form and its button show only once the script finds WebAuthn in the browser.
    assert "novalidate data-kx-webauthn hidden>" in html
    assert 'id="mfa_webauthn_add"' in html
    assert 'id="id_credential"' in html
    assert 'id="js_data"' in html
    assert 'data-allauth-onload="allauth.webauthn.forms.addForm"' in html


def test_every_script_on_the_add_page_carries_the_csp_nonce(client):
    client.force_login(PractitionerFactory())
    reauthenticate(client)

    response = client.get(reverse("mfa_add_webauthn"))

    nonce = response.wsgi_request.csp_nonce
    html = response.content.decode()
    assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]
    for tag in html.split("<script")[1:]:
        opening = tag.split(">", 1)[0]
        if 'type="application/json"' not in opening:
            assert f'nonce="{nonce}"' in opening, opening


def test_a_member_adds_a_security_key_and_it_is_listed(client):
    member = PractitionerFactory()
    client.force_login(member)
    reauthenticate(client)

    add_security_key(client, name="Work laptop")

    key = Authenticator.objects.get(user=member, type=Authenticator.Type.WEBAUTHN)
    assert key.wrap().name == "Work laptop"
    # allauth makes recovery codes with the first second factor.
    assert Authenticator.objects.filter(
        user=member, type=Authenticator.Type.RECOVERY_CODES
    ).exists()
    assert "Work laptop" in client.get(reverse("mfa_list_webauthn")).content.decode()


def test_sign_in_offers_the_security_key_and_accepts_it(client):
    member = PractitionerFactory()
    client.force_login(member)
    reauthenticate(client)
    key = add_security_key(client)
    client.logout()

    client.post(reverse("account_login"), {"login": member.email, "password": PASSWORD})
    page = client.get(reverse("mfa_authenticate"))

    html = page.content.decode()
    assert page.status_code == 200
    assert '<h1 class="govuk-heading-l">Use your security key</h1>' in html
    assert 'id="mfa_webauthn_authenticate"' in html
    assert "Using a security key needs JavaScript" in html
    assert 'name="code"' in html  # the no-JavaScript way: a recovery code
    assert "_auth_user_id" not in client.session

    credential = key.sign(page.context["js_data"]["request_options"])
    response = client.post(reverse("mfa_authenticate"), {"credential": credential})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(member.pk)


def test_sign_in_without_a_security_key_asks_only_for_the_code(client):
    member = PractitionerFactory()
    TOTP.activate(member, generate_totp_secret())

    client.post(reverse("account_login"), {"login": member.email, "password": PASSWORD})
    html = client.get(reverse("mfa_authenticate")).content.decode()

    assert "Enter the code from your authenticator app" in html
    assert "mfa_webauthn_authenticate" not in html


def test_a_member_with_both_can_still_sign_in_with_the_app_code(client):
    member = PractitionerFactory()
    secret = generate_totp_secret()
    TOTP.activate(member, secret)
    security_key_for(member)

    client.post(reverse("account_login"), {"login": member.email, "password": PASSWORD})
    response = client.post(reverse("mfa_authenticate"), {"code": current_totp_code(secret)})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(member.pk)


def test_staff_with_only_a_security_key_reach_the_admin(client, editor):
    security_key_for(editor)
    client.force_login(editor)

    assert client.get("/admin/").status_code == 200


def test_staff_with_only_recovery_codes_are_still_sent_to_set_up_an_app(client, editor):
    RecoveryCodes.activate(editor)
    client.force_login(editor)

    assert client.get("/admin/")["Location"] == reverse("mfa_activate_totp")


def test_the_adapter_keeps_the_last_second_factor_of_staff(editor):
    key = security_key_for(editor)
    codes = RecoveryCodes.activate(editor).instance
    adapter = MFAAdapter()

    assert adapter.can_delete_authenticator(key) is False
    assert adapter.can_delete_authenticator(codes) is True

    totp = TOTP.activate(editor, generate_totp_secret()).instance
    # With both, either may go, but not both.
    assert adapter.can_delete_authenticator(key) is True
    assert adapter.can_delete_authenticator(totp) is True
    key.delete()
    assert adapter.can_delete_authenticator(totp) is False


def test_the_adapter_lets_members_remove_their_only_security_key():
    member = PractitionerFactory()

    assert MFAAdapter().can_delete_authenticator(security_key_for(member)) is True


def test_staff_cannot_remove_their_last_security_key_through_the_page(client, editor):
    key = security_key_for(editor)
    client.force_login(editor)
    reauthenticate(client)
    url = reverse("mfa_remove_webauthn", kwargs={"pk": key.pk})

    for response in (client.get(url), client.post(url)):
        assert response.status_code == 302
        assert response["Location"] == reverse("mfa_list_webauthn")

    assert Authenticator.objects.filter(pk=key.pk).exists()
    listing = client.get(reverse("mfa_list_webauthn")).content.decode()
    assert "Staff accounts must keep an authenticator app or a security key" in listing
    assert client.get("/admin/").status_code == 200


def test_staff_with_an_app_can_remove_a_security_key(client, editor):
    TOTP.activate(editor, generate_totp_secret())
    key = security_key_for(editor)
    client.force_login(editor)
    reauthenticate(client)
    url = reverse("mfa_remove_webauthn", kwargs={"pk": key.pk})

    assert client.get(url).status_code == 200
    response = client.post(url)

    assert response.status_code == 302
    assert not Authenticator.objects.filter(pk=key.pk).exists()


def test_staff_with_a_security_key_can_turn_off_the_app(client, editor):
    TOTP.activate(editor, generate_totp_secret())
    security_key_for(editor)
    client.force_login(editor)
    reauthenticate(client)

    response = client.post(reverse("mfa_deactivate_totp"))

    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=editor, type=Authenticator.Type.TOTP).exists()
    assert client.get("/admin/").status_code == 200


def test_a_member_removes_their_security_key(client):
    member = PractitionerFactory()
    key = security_key_for(member)
    client.force_login(member)
    reauthenticate(client)

    response = client.post(reverse("mfa_remove_webauthn", kwargs={"pk": key.pk}))

    assert response.status_code == 302
    assert not Authenticator.objects.filter(pk=key.pk).exists()


@pytest.mark.parametrize(
    "url_name, heading",
    [
        ("mfa_list_webauthn", "Security keys"),
        ("mfa_add_webauthn", "Add a security key"),
        ("mfa_edit_webauthn", "Rename your security key"),
        ("mfa_remove_webauthn", "Remove ‘Blue YubiKey’"),
        ("mfa_reauthenticate_webauthn", "Confirm it is you"),
    ],
)
def test_the_security_key_pages_render_in_govuk_markup(client, url_name, heading):
    member = PractitionerFactory()
    key = security_key_for(member)
    client.force_login(member)
    reauthenticate(client)
    kwargs = {"pk": key.pk} if url_name in ("mfa_edit_webauthn", "mfa_remove_webauthn") else {}

    response = client.get(reverse(url_name, kwargs=kwargs))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="govuk-grid-column-two-thirds"' in html
    assert heading in html
    assert 'class="govuk-breadcrumbs"' in html or url_name == "mfa_reauthenticate_webauthn"


def test_a_member_renames_a_security_key(client):
    member = PractitionerFactory()
    key = security_key_for(member)
    client.force_login(member)
    reauthenticate(client)

    response = client.post(
        reverse("mfa_edit_webauthn", kwargs={"pk": key.pk}), {"name": "Spare key"}
    )

    assert response.status_code == 302
    key.refresh_from_db()
    assert key.wrap().name == "Spare key"


def test_confirming_it_is_you_with_a_security_key(client):
    member = PractitionerFactory()
    client.force_login(member)
    reauthenticate(client)
    key = add_security_key(client)
    # A new sign-in: the earlier password confirmation no longer counts.
    client.logout()
    client.force_login(member)

    page = client.get(reverse("mfa_reauthenticate_webauthn"))
    assert "Using a security key needs JavaScript" in page.content.decode()
    credential = key.sign(page.context["js_data"]["request_options"])
    response = client.post(reverse("mfa_reauthenticate_webauthn"), {"credential": credential})

    assert response.status_code == 302
    assert client.get(reverse("mfa_add_webauthn")).status_code == 200
