"""The moderation queue and audit log (``ModerationViewSet``): who may open them, and who sees
the menu item. Staff without a second factor have no powers."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse

from forums.admin_views import ModerationMenuItem, moderation_policy
from tests.factories import staff_member

pytestmark = pytest.mark.django_db

URLS = ["forums_moderation:queue", "forums_moderation:audit"]


@pytest.fixture
def people(police, moderator):
    return {
        "anonymous": None,
        "member": police,
        "moderator without a second factor": staff_member("Moderators", second_factor=False),
        "editor": staff_member("Editors"),
        "event organiser": staff_member("Event organisers"),
        "moderator": moderator,
        "superuser": staff_member("superuser"),
    }


ALLOWED = {"moderator", "superuser"}


def test_only_moderators_open_the_queue_and_the_audit_log(client, people):
    for who, user in people.items():
        client.logout()
        if user is not None:
            client.force_login(user)
        for name in URLS:
            status = client.get(reverse(name)).status_code
            if who in ALLOWED:
                assert status == 200, (who, name)
            else:
                assert status in (302, 403), (who, name, status)


def test_the_menu_item_is_shown_to_moderators_only(people):
    item = ModerationMenuItem("Forum moderation", reverse("forums_moderation:queue"))
    for who, user in people.items():
        request = RequestFactory().get("/admin/")
        request.user = user or AnonymousUser()
        assert item.is_shown(request) == (who in ALLOWED), who
        assert moderation_policy.user_has_permission(request.user, "moderate") == (
            who in ALLOWED
        ), who


def test_staff_get_a_plain_403_not_a_redirect(client, people):
    client.force_login(people["editor"])
    assert client.get(reverse("forums_moderation:queue")).status_code == 403
