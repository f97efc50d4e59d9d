"""Who may use the verification queue: the "change" permission on VerificationRequest, through
the model's Wagtail permission policy, and only with a second factor. The menu item asks the
same policy."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from wagtail.permissions import policy_registry

from accounts import services
from accounts.models import Organisation, VerificationRequest
from tests.factories import UserFactory, staff_member, with_second_factor

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending():
    return services.verification_request_create(
        user=UserFactory(),
        organisation=Organisation.objects.get(slug="home-office"),
        job_title="Programme manager",
        reason="Funded programme.",
    )


def verifier(*, second_factor=True):
    group, _ = Group.objects.get_or_create(name="Verifiers")
    group.permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="change_verificationrequest"),
    )
    user = UserFactory()
    user.groups.add(group)
    return with_second_factor(user) if second_factor else user


def who(role):
    return {
        "anonymous": lambda: None,
        "member": UserFactory,
        "superuser without a second factor": lambda: staff_member(
            "superuser", second_factor=False
        ),
        "verifier without a second factor": lambda: verifier(second_factor=False),
        "editor": lambda: staff_member("Editors"),
        "moderator": lambda: staff_member("Moderators"),
        "verifier": verifier,
        "superuser": lambda: staff_member("superuser"),
    }[role]()


REFUSED = [
    "anonymous",
    "member",
    "superuser without a second factor",
    "verifier without a second factor",
    "editor",
    "moderator",
]
ALLOWED = ["verifier", "superuser"]


def sign_in(client, role):
    user = who(role)
    if user is not None:
        client.force_login(user)
    return user


@pytest.mark.parametrize("role", REFUSED)
def test_the_queue_and_the_decision_are_refused(client, pending, role):
    sign_in(client, role)
    urls = (
        reverse("accounts_verification:index"),
        reverse("accounts_verification:decide", args=[pending.pk]),
    )

    for url in urls:
        response = client.get(url)
        assert response.status_code in (302, 403), url
        assert pending.user.email not in response.content.decode()
    response = client.post(urls[1], {"decision": "approve", "note": ""})

    assert response.status_code in (302, 403)
    pending.refresh_from_db()
    assert pending.status == VerificationRequest.Status.PENDING


@pytest.mark.parametrize("role", ALLOWED)
def test_the_queue_opens_for_those_with_the_permission(client, pending, role):
    sign_in(client, role)

    queue = client.get("/admin/verification/")
    decision = client.get(f"/admin/verification/{pending.pk}/")

    assert queue.status_code == 200
    assert pending.user.email in queue.content.decode()
    assert decision.status_code == 200


@pytest.mark.parametrize(
    ("role", "shown"),
    [("verifier", True), ("superuser", True), ("editor", False), ("moderator", False)],
)
def test_the_menu_item_follows_the_permission_policy(client, role, shown):
    sign_in(client, role)

    response = client.get("/admin/")

    assert response.status_code == 200
    assert ('"url": "/admin/verification/"' in response.content.decode()) is shown


@pytest.mark.parametrize("role", ["superuser", "verifier"])
def test_the_policy_gives_nothing_without_a_second_factor(role):
    user = (
        staff_member("superuser", second_factor=False)
        if role == "superuser"
        else verifier(second_factor=False)
    )
    policy = policy_registry.get_by_type(VerificationRequest)

    assert user.has_perm("accounts.change_verificationrequest")
    assert not policy.user_has_permission(user, "change")
    with_second_factor(user)
    user = type(user).objects.get(pk=user.pk)
    assert policy.user_has_permission(user, "change")
