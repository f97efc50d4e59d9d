"""Who may use each forum view: anonymous, unverified, verified police, verified probation,
suspended and moderator users. A category a member may not see answers 404."""

import pytest
from django.urls import reverse

from forums.models import Post

from .conftest import start_thread

pytestmark = pytest.mark.django_db


@pytest.fixture
def cross_thread(cross_agency, police):
    thread = start_thread(cross_agency, police)
    return thread


@pytest.fixture
def police_thread(police_only, police):
    return start_thread(police_only, police, title="Police-only practice")


def read_urls(thread):
    post = thread.posts.get(number=1)
    return [
        reverse("forums:index"),
        reverse("forums:category", args=[thread.category.slug]),
        reverse("forums:thread", args=[thread.pk]),
        reverse("forums:preferences"),
        reverse("forums:post_flag", args=[post.pk]),
        reverse("forums:reply", args=[thread.pk]),
        reverse("forums:thread_new", args=[thread.category.slug]),
    ]


def test_anonymous_visitors_are_sent_to_sign_in(client, cross_thread):
    for url in read_urls(cross_thread)[1:]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("account_login")), url


def test_anonymous_visitors_see_what_the_forums_are_and_how_to_join(client, cross_thread):
    response = client.get(reverse("forums:index"))

    assert response.status_code == 200
    content = response.content.decode()
    assert "only for verified practitioners" in content
    assert reverse("account_login") in content
    assert reverse("account_signup") in content
    assert cross_thread.title not in content
    assert cross_thread.category.name not in content


def test_anonymous_posts_are_sent_to_sign_in_and_change_nothing(client, cross_thread):
    post = cross_thread.posts.get()
    response = client.post(reverse("forums:post_useful", args=[post.pk]))

    assert response.status_code == 302
    assert Post.objects.get(pk=post.pk).useful_count == 0


def test_unverified_members_see_what_the_forums_are_and_how_to_get_verified(
    client, unverified, cross_thread
):
    client.force_login(unverified)
    response = client.get(reverse("forums:index"))

    assert response.status_code == 200
    assert b"How to get verified" in response.content
    assert cross_thread.title.encode() not in response.content
    for url in read_urls(cross_thread)[1:]:
        response = client.get(url)
        assert response.status_code == 403, url
        assert cross_thread.title.encode() not in response.content
        assert b"How to get verified" in response.content


def test_forum_pages_are_never_cached(client, police, cross_thread):
    client.force_login(police)
    response = client.get(reverse("forums:thread", args=[cross_thread.pk]))

    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


@pytest.mark.parametrize("member", ["police", "probation", "moderator"])
def test_verified_practitioners_and_moderators_read_cross_agency_threads(
    client, request, member, cross_thread
):
    client.force_login(request.getfixturevalue(member))

    for url in read_urls(cross_thread):
        assert client.get(url).status_code == 200, url


def test_probation_practitioners_get_404_for_the_police_only_category(
    client, probation, police_thread
):
    client.force_login(probation)
    post = police_thread.posts.get()

    for url in read_urls(police_thread)[1:]:
        if url == reverse("forums:preferences"):
            continue
        response = client.get(url)
        assert response.status_code == 404, url
        assert police_thread.title.encode() not in response.content
    for name in ("post_useful", "post_answer", "post_delete", "post_edit"):
        assert client.post(reverse(f"forums:{name}", args=[post.pk])).status_code == 404
    assert client.post(reverse("forums:thread_watch", args=[police_thread.pk])).status_code == 404
    assert (
        client.post(reverse("forums:category_watch", args=[police_thread.category.slug]))
    ).status_code == 404


def test_hidden_categories_never_appear_in_lists_or_counts(
    client, probation, police_thread, cross_agency
):
    client.force_login(probation)
    response = client.get(reverse("forums:index"))

    assert response.status_code == 200
    names = [category.name for category in response.context["categories"]]
    assert names == [cross_agency.name]
    assert b"Police only" not in response.content


def test_police_see_the_police_only_category(client, police, police_thread, probation_only):
    client.force_login(police)
    response = client.get(reverse("forums:index"))

    names = {category.name for category in response.context["categories"]}
    assert "Police only" in names
    assert "Probation only" not in names
    assert client.get(reverse("forums:category", args=[probation_only.slug])).status_code == 404


def test_suspended_members_read_but_cannot_post(client, suspended, cross_thread):
    client.force_login(suspended)

    assert client.get(reverse("forums:thread", args=[cross_thread.pk])).status_code == 200
    for url in (
        reverse("forums:reply", args=[cross_thread.pk]),
        reverse("forums:thread_new", args=[cross_thread.category.slug]),
        reverse("forums:post_flag", args=[cross_thread.posts.get().pk]),
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        assert b"suspended" in response.content
    response = client.post(
        reverse("forums:reply", args=[cross_thread.pk]), {"body": "Trying anyway."}
    )
    assert response.status_code == 403
    assert cross_thread.posts.count() == 1


def test_members_cannot_edit_or_delete_others_posts(client, probation, cross_thread):
    client.force_login(probation)
    post = cross_thread.posts.get()

    assert client.get(reverse("forums:post_edit", args=[post.pk])).status_code == 404
    assert client.post(reverse("forums:post_delete", args=[post.pk])).status_code == 404
    assert Post.objects.get(pk=post.pk).status == Post.Status.VISIBLE


def test_a_thread_waiting_for_approval_is_404_for_others(
    client, approved_member, police, cross_agency
):
    thread = start_thread(cross_agency, approved_member, title="My first thread")
    assert not thread.is_visible

    client.force_login(police)
    assert client.get(reverse("forums:thread", args=[thread.pk])).status_code == 404
    client.force_login(approved_member)
    response = client.get(reverse("forums:thread", args=[thread.pk]))
    assert response.status_code == 200
    assert b"Waiting for a moderator" in response.content


def test_the_moderation_tools_are_for_moderators_only(client, police, moderator, cross_thread):
    post = cross_thread.posts.get()
    urls = [
        reverse("forums_moderation:queue"),
        reverse("forums_moderation:audit"),
        reverse("forums_moderation:post", args=[post.pk]),
        reverse("forums_moderation:edit_out", args=[post.pk]),
        reverse("forums_moderation:member", args=[police.pk]),
    ]
    client.force_login(police)
    for url in urls:
        assert client.get(url).status_code in (302, 403), url
    assert client.post(
        reverse("forums_moderation:post_action", args=[post.pk, "hide"])
    ).status_code in (302, 403)
    assert Post.objects.get(pk=post.pk).status == Post.Status.VISIBLE

    client.force_login(moderator)
    for url in urls:
        assert client.get(url).status_code == 200, url


def write_requests(thread):
    post = thread.posts.get(number=1)
    return [
        (reverse("forums:post_useful", args=[post.pk]), {}),
        (reverse("forums:post_answer", args=[post.pk]), {}),
        (reverse("forums:post_flag", args=[post.pk]), {"reason": "other"}),
        (reverse("forums:reply", args=[thread.pk]), {"body": "A reply"}),
        (reverse("forums:thread_new", args=[thread.category.slug]), {"title": "T", "body": "B"}),
        (reverse("forums:thread_watch", args=[thread.pk]), {"level": "watch"}),
        (reverse("forums:category_watch", args=[thread.category.slug]), {"level": "watch"}),
        (reverse("forums:preferences"), {"email_frequency": "never"}),
    ]


def test_unverified_members_cannot_write_anything(client, unverified, cross_thread):
    from forums.models import Flag, ForumSubscription, Thread

    client.force_login(unverified)
    for url, data in write_requests(cross_thread):
        assert client.post(url, data).status_code == 403, url
    assert Thread.objects.count() == 1
    assert cross_thread.posts.count() == 1
    assert not Flag.objects.exists()
    assert not ForumSubscription.objects.filter(user=unverified).exists()


def test_suspended_members_cannot_vote_flag_or_post(client, suspended, cross_thread):
    from forums.models import Flag

    client.force_login(suspended)
    for url, data in write_requests(cross_thread)[:5]:
        assert client.post(url, data).status_code in (403, 404), url
    assert Post.objects.get(thread=cross_thread).useful_count == 0
    assert not Flag.objects.exists()
    assert cross_thread.posts.count() == 1
