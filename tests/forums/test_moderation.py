"""Flags, the review queue in the Wagtail admin, and every moderator action in the audit log."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from forums import audit, services
from forums.models import Flag, ForumMember, Post, PostRevision

from .conftest import make_category, start_thread

pytestmark = pytest.mark.django_db


@pytest.fixture
def thread(cross_agency, police):
    return start_thread(cross_agency, police)


@pytest.fixture
def moderator_client(client, moderator):
    client.force_login(moderator)
    return client


def test_any_member_can_flag_a_post_once(client, probation, thread):
    post = thread.posts.get()
    client.force_login(probation)
    url = reverse("forums:post_flag", args=[post.pk])

    response = client.post(url, {"reason": "personal_data", "detail": "Names a victim."})
    assert response.status_code == 302
    flag = Flag.objects.get()
    assert (flag.post, flag.flagged_by, flag.reason) == (post, probation, "personal_data")

    again = client.post(url, {"reason": "other"})
    assert again.status_code == 400
    assert b"You have already flagged this post" in again.content
    assert Flag.objects.count() == 1


def test_a_flag_needs_a_reason(client, probation, thread):
    client.force_login(probation)
    response = client.post(reverse("forums:post_flag", args=[thread.posts.get().pk]), {})

    assert response.status_code == 400
    assert b"Select why you are flagging this post" in response.content


def test_flagging_is_rate_limited(probation, cross_agency, police, settings):
    settings.KX_FORUM_RATE_LIMITS = {**settings.KX_FORUM_RATE_LIMITS, "flag": (2, 600)}
    posts = [start_thread(cross_agency, police, title=f"T{n}").posts.get() for n in range(3)]
    services.post_flag(post=posts[0], user=probation, reason="other")
    services.post_flag(post=posts[1], user=probation, reason="other")

    with pytest.raises(services.RateLimited):
        services.post_flag(post=posts[2], user=probation, reason="other")


def test_the_queue_lists_flagged_and_waiting_posts(moderator_client, probation, thread):
    services.post_flag(post=thread.posts.get(), user=probation, reason="off_topic")

    response = moderator_client.get(reverse("forums_moderation:queue"))

    assert response.status_code == 200
    assert b"It is off topic" in response.content
    assert thread.title.encode() in response.content


def test_only_posts_with_an_open_flag_are_listed_as_flagged(
    moderator_client, moderator, probation, police, cross_agency
):
    """Posts with no flag, or only resolved ones, sit behind the same join: none may count."""
    posts = [
        start_thread(cross_agency, police, title=f"Thread {n}").posts.get() for n in range(15)
    ]
    services.post_flag(post=posts[0], user=probation, reason="off_topic")
    services.post_flag(post=posts[1], user=probation, reason="off_topic")
    services.flags_dismiss(post=posts[1], moderator=moderator, reason="Fine")

    response = moderator_client.get(reverse("forums_moderation:queue"))

    assert b"Flagged (1)" in response.content
    assert [post.pk for post in response.context["flagged"]] == [posts[0].pk]


def test_hiding_and_restoring_a_post(moderator_client, moderator, client, probation, thread):
    post = thread.posts.get()
    services.post_flag(post=post, user=probation, reason="inappropriate")
    url = reverse("forums_moderation:post_action", args=[post.pk, "hide"])

    response = moderator_client.post(url, {"reason": "Offensive"})

    assert response.status_code == 302
    post.refresh_from_db()
    assert post.status == Post.Status.HIDDEN
    assert not Flag.objects.filter(resolved_at__isnull=True).exists()
    thread.refresh_from_db()
    assert thread.post_count == 0
    entry = audit.entries().get()
    assert (entry.user, entry.action, entry.object_id, entry.data) == (
        moderator,
        "kx.forums.hide_post",
        str(post.pk),
        {"post": post.pk, "thread": thread.pk, "member": post.author_id, "reason": "Offensive"},
    )
    client.force_login(probation)
    page = client.get(reverse("forums:thread", args=[thread.pk]))
    assert b"A moderator has hidden this post." in page.content
    assert b"How do you plan visits?" not in page.content

    client.force_login(moderator)
    client.post(reverse("forums_moderation:post_action", args=[post.pk, "restore"]))
    post.refresh_from_db()
    assert post.status == Post.Status.VISIBLE
    assert [e.action for e in audit.entries()] == ["kx.forums.restore_post", "kx.forums.hide_post"]


def test_editing_out_personal_data_records_the_reason(moderator_client, moderator, police, thread):
    post = thread.posts.get()
    url = reverse("forums_moderation:edit_out", args=[post.pk])

    missing = moderator_client.post(url, {"body": "How do you plan [removed]?", "reason": ""})
    assert missing.status_code == 200
    assert b"Enter why you edited this post" in missing.content

    moderator_client.post(url, {"body": "How do you plan [removed]?", "reason": "A name"})

    post.refresh_from_db()
    assert post.body == "How do you plan [removed]?"
    revision = PostRevision.objects.get(post=post)
    assert (revision.body, revision.edited_by, revision.reason) == (
        "How do you plan visits?",
        moderator,
        "A name",
    )
    assert audit.entries().get().action == "kx.forums.edit_out"
    review = moderator_client.get(reverse("forums_moderation:post", args=[post.pk]))
    assert b"How do you plan visits?" in review.content  # History is visible to moderators.


def test_lock_pin_and_move_a_thread(moderator_client, thread):
    other = make_category("other-space")
    base = "forums_moderation:thread_action"

    moderator_client.post(reverse(base, args=[thread.pk, "lock"]))
    moderator_client.post(reverse(base, args=[thread.pk, "pin"]))
    moderator_client.post(reverse(base, args=[thread.pk, "move"]), {"category": other.pk})

    thread.refresh_from_db()
    assert thread.is_locked and thread.is_pinned
    assert thread.category == other
    assert [e.action for e in audit.entries().order_by("pk")] == [
        "kx.forums.lock_thread",
        "kx.forums.pin_thread",
        "kx.forums.move_thread",
    ]


def test_suspending_a_member_makes_them_read_only(
    moderator_client, moderator, client, police, thread
):
    url = reverse("forums_moderation:member", args=[police.pk])

    bad = moderator_client.post(url, {"days": "0", "reason": ""})
    assert bad.status_code == 200
    assert b"Suspend for at least 1 day" in bad.content
    moderator_client.post(url, {"days": "7", "reason": "Repeated personal data"})

    standing = ForumMember.objects.get(user=police)
    assert standing.is_suspended
    assert standing.suspended_until > timezone.now() + timedelta(days=6)
    assert audit.entries().get().action == "kx.forums.suspend_member"
    with pytest.raises(PermissionDenied):
        services.post_reply(thread=thread, author=police, body="Can I?")
    client.force_login(police)
    assert client.get(reverse("forums:thread", args=[thread.pk])).status_code == 200

    client.force_login(moderator)
    client.post(url, {"lift": "1"})
    assert not ForumMember.objects.get(user=police).is_suspended


def test_approving_a_waiting_post_shows_it(moderator, approved_member, cross_agency):
    thread = start_thread(cross_agency, approved_member)
    post = thread.posts.get()

    services.post_approve(post=post, moderator=moderator)

    thread.refresh_from_db()
    assert thread.is_visible and thread.post_count == 1
    with pytest.raises(ValidationError):
        services.post_approve(post=post, moderator=moderator)


def test_members_cannot_use_moderator_services(police, probation, thread):
    with pytest.raises(PermissionDenied):
        services.post_hide(post=thread.posts.get(), moderator=probation)


def test_the_audit_log_lists_every_action(moderator_client, moderator, thread):
    services.thread_set_pinned(thread=thread, moderator=moderator, pinned=True, reason="Useful")

    response = moderator_client.get(reverse("forums_moderation:audit"))

    assert b"Pin thread" in response.content
    assert b"Useful" in response.content


def test_the_queue_runs_a_fixed_number_of_queries(
    moderator_client, probation, police, cross_agency, django_assert_max_num_queries
):
    def flag_threads(count):
        for n in range(count):
            post = start_thread(cross_agency, police, title=f"T{n}").posts.get()
            Flag.objects.create(post=post, flagged_by=probation, reason="other")

    flag_threads(2)
    moderator_client.get(reverse("forums_moderation:queue"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        moderator_client.get(reverse("forums_moderation:queue"))
    flag_threads(10)

    with django_assert_max_num_queries(len(small.captured_queries)):
        moderator_client.get(reverse("forums_moderation:queue"))


def test_a_long_queue_shows_a_batch_and_the_totals(
    moderator_client, probation, police, cross_agency, monkeypatch
):
    from forums import admin_views

    monkeypatch.setattr(admin_views, "QUEUE_BATCH", 2)
    for n in range(3):
        post = start_thread(cross_agency, police, title=f"Thread {n}").posts.get()
        Flag.objects.create(post=post, flagged_by=probation, reason="other")

    response = moderator_client.get(reverse("forums_moderation:queue"))

    assert len(response.context["flagged"]) == 2
    assert b"Flagged (3)" in response.content
    assert b"The 2 most flagged are shown" in response.content
