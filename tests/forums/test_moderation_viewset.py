"""The moderation tools (``ModerationViewSet``): who may open the queue, the audit log, a post's
review page and edit-out form, and run the post actions, and who sees the menu item. Staff
without a second factor have no powers."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse

from forums.admin_views import ModerationMenuItem, moderation_policy
from forums.models import Post
from forums.selectors import member_standing
from tests.factories import staff_member

from .conftest import start_thread

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


@pytest.fixture
def cross_thread(cross_agency, police):
    return start_thread(cross_agency, police)


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


def moderation_pages(post):
    return [
        reverse("forums_moderation:post", args=[post.pk]),
        reverse("forums_moderation:edit_out", args=[post.pk]),
        reverse("forums_moderation:member", args=[post.author_id]),
    ]


def test_only_moderators_open_the_post_and_member_pages(client, people, cross_thread):
    post = cross_thread.posts.get()
    for who, user in people.items():
        client.logout()
        if user is not None:
            client.force_login(user)
        for url in moderation_pages(post):
            status = client.get(url).status_code
            if who in ALLOWED:
                assert status == 200, (who, url)
            else:
                assert status in (302, 403), (who, url, status)


def test_only_moderators_run_the_post_thread_and_member_actions(client, people, cross_thread):
    post = cross_thread.posts.get()
    hide = reverse("forums_moderation:post_action", args=[post.pk, "hide"])
    edit_out = reverse("forums_moderation:edit_out", args=[post.pk])
    for who, user in people.items():
        if who in ALLOWED:
            continue
        client.logout()
        if user is not None:
            client.force_login(user)
        assert client.post(hide, {"reason": "x"}).status_code in (302, 403), who
        assert client.post(edit_out, {"body": "Edited", "reason": "x"}).status_code in (
            302,
            403,
        ), who
        for action in ("lock", "pin"):
            url = reverse("forums_moderation:thread_action", args=[cross_thread.pk, action])
            assert client.post(url).status_code in (302, 403), (who, action)
        suspend = reverse("forums_moderation:member", args=[post.author_id])
        assert client.post(suspend, {"days": 7, "reason": "x"}).status_code in (302, 403), who
        post.refresh_from_db()
        assert post.status == Post.Status.VISIBLE and post.body != "Edited", who
        cross_thread.refresh_from_db()
        assert not cross_thread.is_locked and not cross_thread.is_pinned, who
        assert not member_standing(post.author).is_suspended, who

    client.force_login(people["moderator"])
    assert client.get(hide).status_code == 405  # POST only, as before.
    response = client.post(hide, {"reason": "Off topic"})
    assert response.status_code == 302
    assert response["Location"] == reverse("forums_moderation:post", args=[post.pk])
    assert Post.objects.get(pk=post.pk).status == Post.Status.HIDDEN
    unknown = client.post(reverse("forums_moderation:post_action", args=[post.pk, "shred"]))
    assert unknown["Location"] == reverse("forums_moderation:post", args=[post.pk])
    lock = reverse("forums_moderation:thread_action", args=[cross_thread.pk, "lock"])
    assert client.get(lock).status_code == 405
    assert client.post(lock)["Location"] == reverse("forums_moderation:queue")
    back = client.post(lock.replace("lock", "unlock"), {"post_id": post.pk})
    assert back["Location"] == reverse("forums_moderation:post", args=[post.pk])
    missing = reverse("forums_moderation:post_action", args=[post.pk + 1000, "hide"])
    assert client.post(missing).status_code == 404


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
    assert client.get(reverse("forums_moderation:post", args=[1])).status_code == 403
    assert (
        client.post(reverse("forums_moderation:post_action", args=[1, "hide"])).status_code == 403
    )
