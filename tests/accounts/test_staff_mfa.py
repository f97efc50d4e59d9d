"""Staff must use an authenticator app before the admin opens, and cannot remove their last."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.adapters import MFAAdapter
from accounts.demo import current_totp_code
from tests.factories import PASSWORD, PractitionerFactory, UserFactory

pytestmark = pytest.mark.django_db

STAFF_GROUPS = ["Editors", "Senior editors", "Moderators", "Event organisers"]


def staff_member(kind):
    if kind == "is_staff":
        return UserFactory(is_staff=True)
    if kind == "superuser":
        return UserFactory(is_staff=True, is_superuser=True)
    user = UserFactory()
    user.groups.add(Group.objects.get(name=kind))
    return user


@pytest.fixture
def editor():
    return staff_member("Editors")


def reauthenticate(client):
    """Sensitive MFA views ask for the password again; give it through the real view."""
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.parametrize("kind", ["is_staff", "superuser", *STAFF_GROUPS])
def test_staff_without_an_authenticator_are_sent_to_set_one_up(client, kind):
    client.force_login(staff_member(kind))

    for path in ("/admin/", "/admin/pages/", "/admin/verification/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == reverse("mfa_activate_totp"), path


def test_staff_sign_in_then_set_up_an_authenticator_and_the_admin_opens(client, editor):
    response = client.post(reverse("account_login"), {"login": editor.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/admin/")["Location"] == reverse("mfa_activate_totp")

    # allauth asks for the password again before a new authenticator is added.
    assert client.get(reverse("mfa_activate_totp"))["Location"].startswith(
        reverse("account_reauthenticate")
    )
    reauthenticate(client)
    setup = client.get(reverse("mfa_activate_totp"))
    assert setup.status_code == 200
    secret = setup.context["form"].secret
    wrong = client.post(reverse("mfa_activate_totp"), {"code": "000000"})
    assert wrong.status_code == 200
    assert wrong.context["form"].errors["code"]
    assert client.get("/admin/")["Location"] == reverse("mfa_activate_totp")

    response = client.post(reverse("mfa_activate_totp"), {"code": current_totp_code(secret)})

    assert response.status_code == 302
    assert Authenticator.objects.filter(user=editor, type=Authenticator.Type.TOTP).exists()
    assert client.get("/admin/").status_code == 200


def test_with_an_authenticator_the_admin_opens(client, editor):
    TOTP.activate(editor, generate_totp_secret())
    client.force_login(editor)

    response = client.get("/admin/")

    assert response.status_code == 200


def test_recovery_codes_alone_do_not_count(client, editor):
    RecoveryCodes.activate(editor)
    client.force_login(editor)

    assert client.get("/admin/")["Location"] == reverse("mfa_activate_totp")


def test_a_member_who_is_not_staff_is_not_asked_for_an_authenticator(client):
    client.force_login(PractitionerFactory())

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"] != reverse("mfa_activate_totp")
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_staff_sign_in_asks_for_the_authenticator_code_then_the_admin_opens(client, editor):
    secret = generate_totp_secret()
    TOTP.activate(editor, secret)

    response = client.post(reverse("account_login"), {"login": editor.email, "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert wrong.status_code == 200
    assert "_auth_user_id" not in client.session

    response = client.post(reverse("mfa_authenticate"), {"code": current_totp_code(secret)})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(editor.pk)
    assert client.get("/admin/").status_code == 200


def test_the_adapter_keeps_the_last_authenticator_app_of_staff(editor):
    totp = TOTP.activate(editor, generate_totp_secret()).instance
    codes = RecoveryCodes.activate(editor).instance

    adapter = MFAAdapter()
    assert adapter.can_delete_authenticator(totp) is False
    assert adapter.can_delete_authenticator(codes) is True


def test_the_adapter_lets_other_members_remove_their_authenticator():
    member = PractitionerFactory()
    totp = TOTP.activate(member, generate_totp_secret()).instance

    assert MFAAdapter().can_delete_authenticator(totp) is True


def test_staff_cannot_deactivate_their_authenticator_through_the_page(client, editor):
    TOTP.activate(editor, generate_totp_secret())
    client.force_login(editor)
    reauthenticate(client)

    response = client.post(reverse("mfa_deactivate_totp"))

    assert response.status_code == 200
    assert "cannot deactivate" in response.content.decode()
    assert Authenticator.objects.filter(user=editor, type=Authenticator.Type.TOTP).exists()
    assert client.get("/admin/").status_code == 200


def test_a_member_can_deactivate_their_authenticator_through_the_page(client):
    member = PractitionerFactory()
    TOTP.activate(member, generate_totp_secret())
    client.force_login(member)
    reauthenticate(client)

    response = client.post(reverse("mfa_deactivate_totp"))

    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=member, type=Authenticator.Type.TOTP).exists()


@pytest.mark.parametrize("steps_ago, accepted", [(1, True), (2, False)])
def test_a_code_from_the_step_before_is_still_accepted_but_not_older(
    client, editor, steps_ago, accepted
):
    import time

    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    secret = generate_totp_secret()
    TOTP.activate(editor, secret)
    client.post(reverse("account_login"), {"login": editor.email, "password": PASSWORD})
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30 - steps_ago))

    client.post(reverse("mfa_authenticate"), {"code": code})

    assert ("_auth_user_id" in client.session) == accepted
