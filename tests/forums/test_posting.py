"""Starting threads, replying, quoting, editing, deleting, answers, votes and unread markers."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from forums import services
from forums.models import Post, PostRevision, Thread, ThreadReadState

from .conftest import start_thread

pytestmark = pytest.mark.django_db


def test_starting_a_thread_through_the_form(client, police, cross_agency):
    client.force_login(police)
    response = client.post(
        reverse("forums:thread_new", args=[cross_agency.slug]),
        {"title": "Unannounced home visits", "body": "How do you **plan** them?"},
    )

    thread = Thread.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/forums/threads/{thread.pk}/"
    assert thread.author == police
    assert thread.post_count == 1
    assert thread.is_visible
    post = thread.posts.get()
    assert post.number == 1
    assert "<strong>plan</strong>" in post.body_html
    page = client.get(response["Location"])
    assert b"Unannounced home visits" in page.content
    assert b"<strong>plan</strong>" in page.content


def test_bad_input_gets_govuk_errors_and_keeps_the_text(client, police, cross_agency):
    client.force_login(police)
    response = client.post(
        reverse("forums:thread_new", args=[cross_agency.slug]),
        {"title": "", "body": "Keep this text"},
    )

    assert response.status_code == 400
    content = response.content.decode()
    assert "govuk-error-summary" in content
    assert "Enter a title" in content
    assert "Keep this text" in content
    assert not Thread.objects.exists()


def test_replying_counts_and_numbers_posts(police, probation, cross_agency):
    thread = start_thread(cross_agency, police)
    reply = services.post_reply(thread=thread, author=probation, body="We use a checklist.")
    thread.refresh_from_db()

    assert reply.number == 2
    assert thread.post_count == 2
    assert thread.last_post_number == 2
    assert thread.last_post_at >= reply.created_at


def test_quoting_prefills_the_reply(client, police, probation, cross_agency):
    thread = start_thread(cross_agency, police, body="Line one")
    client.force_login(probation)
    post = thread.posts.get()

    response = client.get(reverse("forums:reply", args=[thread.pk]) + f"?quote={post.pk}")

    assert response.status_code == 200
    assert "Alex Police wrote:\n\n&gt; Line one" in response.content.decode()


def test_editing_keeps_the_history(client, police, cross_agency):
    thread = start_thread(cross_agency, police, body="First version")
    post = thread.posts.get()
    client.force_login(police)

    response = client.post(reverse("forums:post_edit", args=[post.pk]), {"body": "Second"})

    assert response.status_code == 302
    post.refresh_from_db()
    assert post.body == "Second"
    assert post.edited_at is not None
    assert list(PostRevision.objects.filter(post=post).values_list("body", flat=True)) == [
        "First version"
    ]


def test_deleting_is_soft_and_leaves_a_note(client, police, probation, cross_agency):
    thread = start_thread(cross_agency, police)
    reply = services.post_reply(thread=thread, author=probation, body="Oops, wrong thread.")
    client.force_login(probation)

    response = client.post(reverse("forums:post_delete", args=[reply.pk]))

    assert response.status_code == 302
    reply.refresh_from_db()
    thread.refresh_from_db()
    assert reply.status == Post.Status.DELETED
    assert thread.post_count == 1
    page = client.get(reverse("forums:thread", args=[thread.pk]))
    assert b"Its author deleted this post." in page.content
    assert b"Oops, wrong thread." not in page.content


def test_the_thread_author_marks_the_answer(client, police, probation, cross_agency):
    thread = start_thread(cross_agency, police)
    reply = services.post_reply(thread=thread, author=probation, body="Try joint visits.")

    with pytest.raises(PermissionDenied):
        services.thread_mark_answer(thread=thread, post=reply, user=probation)
    client.force_login(police)
    client.post(reverse("forums:post_answer", args=[reply.pk]))

    thread.refresh_from_db()
    assert thread.answer == reply
    page = client.get(reverse("forums:thread", args=[thread.pk]))
    assert b"Go to the answer (post 2)" in page.content


def test_useful_votes_toggle_and_never_count_your_own(client, police, probation, cross_agency):
    thread = start_thread(cross_agency, police)
    post = thread.posts.get()

    with pytest.raises(ValidationError):
        services.post_toggle_useful(post=post, user=police)
    client.force_login(probation)
    client.post(reverse("forums:post_useful", args=[post.pk]))
    assert Post.objects.get(pk=post.pk).useful_count == 1
    client.post(reverse("forums:post_useful", args=[post.pk]))
    assert Post.objects.get(pk=post.pk).useful_count == 0


def test_unread_markers_follow_what_the_member_has_read(client, police, probation, cross_agency):
    thread = start_thread(cross_agency, police)
    client.force_login(probation)
    listing = reverse("forums:category", args=[cross_agency.slug])

    assert b">New</strong>" in client.get(listing).content
    client.get(reverse("forums:thread", args=[thread.pk]))
    assert ThreadReadState.objects.get(user=probation).last_read_post_number == 1
    assert b"Unread posts" not in client.get(listing).content
    services.post_reply(thread=thread, author=police, body="And another thing.")
    assert b"Unread posts" in client.get(listing).content


def test_locked_threads_refuse_replies(police, probation, moderator, cross_agency):
    thread = start_thread(cross_agency, police)
    services.thread_set_locked(thread=thread, moderator=moderator, locked=True)

    with pytest.raises(ValidationError):
        services.post_reply(thread=thread, author=probation, body="Too late?")


def test_first_posts_of_members_not_verified_by_domain_wait_for_approval(
    client, approved_member, police, moderator, cross_agency, settings
):
    settings.KX_FORUM_FIRST_POSTS_HELD = 2
    thread = start_thread(cross_agency, police)
    first = services.post_reply(thread=thread, author=approved_member, body="Hello all.")
    assert first.status == Post.Status.PENDING
    assert first.hold_reason == Post.HoldReason.FIRST_POSTS
    client.force_login(police)
    assert b"Hello all." not in client.get(reverse("forums:thread", args=[thread.pk])).content

    services.post_approve(post=first, moderator=moderator)
    second = services.post_reply(thread=thread, author=approved_member, body="Second.")
    assert second.status == Post.Status.PENDING
    services.post_approve(post=second, moderator=moderator)
    third = services.post_reply(thread=thread, author=approved_member, body="Third.")
    assert third.status == Post.Status.VISIBLE


def test_members_verified_by_domain_post_at_once(police, cross_agency):
    thread = start_thread(cross_agency, police)

    assert thread.posts.get().status == Post.Status.VISIBLE


def test_posting_is_rate_limited_and_the_text_is_kept(client, police, cross_agency, settings):
    settings.KX_FORUM_RATE_LIMITS = {**settings.KX_FORUM_RATE_LIMITS, "post": (2, 60)}
    thread = start_thread(cross_agency, police)
    client.force_login(police)
    url = reverse("forums:reply", args=[thread.pk])

    assert client.post(url, {"body": "One"}).status_code == 302
    response = client.post(url, {"body": "Two, kept"})

    assert response.status_code == 400
    assert b"You have posted a lot in a short time" in response.content
    assert b"Two, kept" in response.content
    assert thread.posts.count() == 2


def test_lapsed_members_cannot_post(police, cross_agency, settings):
    from datetime import timedelta

    police.verified_at -= settings.KX_VERIFICATION_VALID_FOR + timedelta(days=1)
    police.save()

    with pytest.raises(PermissionDenied):
        start_thread(cross_agency, police)
