"""@mentions: a mention of a member links to their forum page and tells them; an @name that
matches nobody is shown to the writer before posting, with their text kept as typed; the
rendered link opens no way in for markup; and looking mentions up costs one query, however
many a post holds."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from forums import services
from forums.models import ForumMember, Notification, Post, Thread
from forums.rendering import render_markdown
from tests.factories import PractitionerFactory, UserFactory

from .conftest import start_thread
from .test_rendering import SAFE_TAGS, XSS_PAYLOADS, elements

pytestmark = pytest.mark.django_db


def handle(user):
    return services.member_for(user).handle


def member_url(user):
    return reverse("forums:member", args=[handle(user)])


# Rendering ----------------------------------------------------------------------------------


def test_a_mention_of_a_member_links_to_their_page(police, probation, cross_agency):
    thread = start_thread(cross_agency, police)
    name = handle(probation)

    post = services.post_reply(thread=thread, author=police, body=f"Thanks @{name}, agreed.")

    links = [attrs for tag, attrs in elements(post.body_html) if tag == "a"]
    assert [link["href"] for link in links] == [member_url(probation)]
    assert f">@{name}</a>, agreed." in post.body_html


def test_a_mention_typed_in_capitals_links_the_same_member(police, probation, cross_agency):
    thread = start_thread(cross_agency, police)

    post = services.post_reply(thread=thread, author=police, body=f"@{handle(probation).upper()}")

    assert f'href="{member_url(probation)}"' in post.body_html
    assert f">@{handle(probation).upper()}</a>" in post.body_html


@pytest.mark.parametrize(
    "template",
    [
        "`@{h}` is a handle",  # A code span shows text as written.
        "    @{h} in a code block",
        "[@{h}](https://www.college.police.uk/)",  # Already a link: no link inside a link.
        "Email {h}@kent.police.uk instead",  # An email address is not a mention.
        "@{h}x is someone else",  # A longer name is not this member.
    ],
)
def test_mentions_are_not_linked_where_they_are_not_mentions(police, probation, template):
    name = handle(probation)

    html = render_markdown(template.format(h=name), mentionable={name})

    assert member_url(probation) not in html


def test_an_unknown_name_and_an_unverified_member_are_not_linked(police, cross_agency):
    unverified = UserFactory(first_name="Una", last_name="Verified")
    thread = start_thread(cross_agency, police)

    post = services.post_reply(
        thread=thread, author=police, body=f"@nobody-here and @{handle(unverified)}"
    )

    assert "<a" not in post.body_html
    assert f"@{handle(unverified)}" in post.body_html


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_a_mention_next_to_hostile_markup_is_still_harmless(payload):
    html = render_markdown(
        f"@alex-police {payload} @alex-police{payload}", mentionable={"alex-police"}
    )

    tags = elements(html)
    assert {tag for tag, _attrs in tags} <= SAFE_TAGS
    for tag, attrs in tags:
        assert not [name for name in attrs if name.startswith("on")]
        href = (attrs.get("href") or "").strip().lower()
        if tag == "a" and href.startswith("/"):
            # The only relative link a post may hold is the one the renderer made.
            assert href == "/forums/members/alex-police/"
            assert attrs["rel"] == "nofollow noopener noreferrer"
        else:
            assert not href or href.startswith(("https:", "http:", "mailto:"))


def test_a_handle_that_looks_like_markup_is_text():
    # Handles are slugs, so this never matches one; the renderer escapes it regardless.
    html = render_markdown('@"><img src=x onerror=alert(1)>', mentionable={"alex-police"})

    assert {tag for tag, _attrs in elements(html)} <= SAFE_TAGS


# Notifications follow the links -------------------------------------------------------------


def test_only_mentionable_members_are_told(
    police, probation, cross_agency, django_capture_on_commit_callbacks
):
    unverified = UserFactory()
    thread = start_thread(cross_agency, police)

    with django_capture_on_commit_callbacks(execute=True):
        services.post_reply(
            thread=thread,
            author=police,
            body=f"@{handle(probation)} and @{handle(unverified)}",
        )

    assert list(Notification.objects.values_list("user", flat=True)) == [probation.pk]


# The writer is warned about names we cannot find ---------------------------------------------


def test_an_unknown_mention_is_shown_to_the_writer_and_the_text_kept(client, police, cross_agency):
    thread = start_thread(cross_agency, police)
    client.force_login(police)
    text = "Thanks @jsmith, I will try it."

    response = client.post(reverse("forums:reply", args=[thread.pk]), {"body": text})

    assert response.status_code == 200
    content = response.content.decode()
    assert "We could not find @jsmith; check the name." in content
    assert f">\n{text}</textarea>" in content
    assert 'name="mentions_checked" value="jsmith"' in content
    assert thread.posts.count() == 1  # Nothing posted yet.


def test_posting_again_posts_the_text_as_typed(client, police, cross_agency):
    thread = start_thread(cross_agency, police)
    client.force_login(police)
    text = "Thanks @JSmith, I will try it."

    response = client.post(
        reverse("forums:reply", args=[thread.pk]), {"body": text, "mentions_checked": "jsmith"}
    )

    assert response.status_code == 302
    post = thread.posts.get(number=2)
    assert post.body == text
    assert "@JSmith" in post.body_html
    assert "<a" not in post.body_html


def test_a_new_unknown_name_is_shown_again(client, police, cross_agency):
    thread = start_thread(cross_agency, police)
    client.force_login(police)

    response = client.post(
        reverse("forums:reply", args=[thread.pk]),
        {"body": "@jsmith and @jbloggs", "mentions_checked": "jsmith"},
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "We could not find @jbloggs; check the name." in content
    assert 'name="mentions_checked" value="jbloggs jsmith"' in content


def test_a_known_mention_posts_at_once(client, police, probation, cross_agency):
    thread = start_thread(cross_agency, police)
    client.force_login(police)

    response = client.post(
        reverse("forums:reply", args=[thread.pk]), {"body": f"@{handle(probation)} thoughts?"}
    )

    assert response.status_code == 302
    assert member_url(probation) in thread.posts.get(number=2).body_html


def test_a_new_thread_with_an_unknown_mention_is_shown_first(client, police, cross_agency):
    client.force_login(police)
    url = reverse("forums:thread_new", args=[cross_agency.slug])
    data = {"title": "Home visits", "body": "@nobody-known how do you plan them?"}

    first = client.post(url, data)
    second = client.post(url, {**data, "mentions_checked": "nobody-known"})

    assert first.status_code == 200
    assert "We could not find @nobody-known; check the name." in first.content.decode()
    assert second.status_code == 302
    assert Thread.objects.get().posts.get().body == data["body"]


def test_the_warning_and_the_personal_data_check_show_together(client, police, cross_agency):
    thread = start_thread(cross_agency, police)
    client.force_login(police)

    response = client.post(
        reverse("forums:reply", args=[thread.pk]),
        {"body": "@jsmith the subject's PNC number is 12/345678A"},
    )

    content = response.content.decode()
    assert "We could not find @jsmith" in content
    assert "personal-data-findings" in content
    assert thread.posts.count() == 1


def test_an_edit_warns_only_about_names_the_post_did_not_hold(client, police, cross_agency):
    thread = start_thread(cross_agency, police)
    post = services.post_reply(thread=thread, author=police, body="@jsmith kept as typed")
    client.force_login(police)
    url = reverse("forums:post_edit", args=[post.pk])

    kept = client.post(url, {"body": "@jsmith kept as typed, with more"})
    added = client.post(url, {"body": "@jsmith and @jbloggs"})

    assert kept.status_code == 302
    assert added.status_code == 200
    assert "We could not find @jbloggs; check the name." in added.content.decode()


# The member page a mention links to ---------------------------------------------------------


def test_the_member_page_lists_only_posts_the_viewer_may_read(
    client, police, probation, cross_agency, police_only
):
    start_thread(cross_agency, police, title="Shared across agencies")
    start_thread(police_only, police, title="Police only")
    client.force_login(probation)

    response = client.get(member_url(police))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Alex Police" in content
    assert "Shared across agencies" in content
    assert "Police only" not in content
    assert police.email not in content


def test_the_member_page_is_for_members_only(client, police, unverified):
    url = member_url(police)

    assert client.get(url).status_code == 302
    client.force_login(unverified)
    assert client.get(url).status_code == 403


def test_an_unverified_members_page_is_not_found(client, police):
    client.force_login(police)
    other = UserFactory()

    assert client.get(member_url(other)).status_code == 404


# Bounded queries ----------------------------------------------------------------------------


def queries_to_post(thread, author, body):
    with CaptureQueriesContext(connection) as context:
        services.post_reply(thread=thread, author=author, body=body)
    return len(context.captured_queries)


def test_a_post_with_many_mentions_looks_them_up_in_one_query(police, cross_agency):
    thread = start_thread(cross_agency, police)
    members = PractitionerFactory.create_batch(30)
    handles = [handle(member) for member in members]
    # Warm up: the first reply makes the author's ForumMember row, which later ones do not.
    services.post_reply(thread=thread, author=police, body="Warm up")

    one = queries_to_post(thread, police, f"@{handles[0]} hello")
    many = queries_to_post(
        thread, police, " ".join(f"@{name}" for name in handles) + " @nobody-known hello"
    )

    assert one == many
    assert Post.objects.order_by("-pk").first().body_html.count("<a ") == 30


def test_finding_unknown_mentions_is_one_query(police):
    from forums import selectors

    members = PractitionerFactory.create_batch(20)
    text = " ".join(f"@{handle(member)}" for member in members) + " @nobody-known"

    with CaptureQueriesContext(connection) as context:
        unknown = selectors.unknown_mentions(text)

    assert unknown == ["nobody-known"]
    assert len(context.captured_queries) == 1


def test_a_post_without_mentions_looks_nobody_up(police, cross_agency):
    start_thread(cross_agency, police)

    with CaptureQueriesContext(connection) as context:
        services.render_post("No mentions here, only an email: alex@kent.police.uk")

    assert ForumMember.objects.exists()
    assert context.captured_queries == []


def test_posts_written_before_mentions_were_links_can_be_rendered_again(
    police, probation, cross_agency
):
    from io import StringIO

    from django.core.management import call_command

    thread = start_thread(cross_agency, police)
    posts = [
        services.post_reply(thread=thread, author=police, body=f"@{handle(probation)} post {n}")
        for n in range(3)
    ]
    Post.objects.filter(pk__in=[p.pk for p in posts]).update(body_html="<p>old</p>")

    with CaptureQueriesContext(connection) as context:
        call_command("render_forum_posts", stdout=StringIO())

    for post in posts:
        post.refresh_from_db()
        assert f'href="{member_url(probation)}"' in post.body_html
    # Two batches' reads (the second empty), one lookup and one bulk update: the same for
    # three posts as for three hundred.
    assert len(context.captured_queries) == 4


def test_a_confirmed_personal_data_box_stays_ticked_through_the_warning(
    client, police, cross_agency
):
    thread = start_thread(cross_agency, police)
    client.force_login(police)
    url = reverse("forums:reply", args=[thread.pk])
    data = {"body": "@jsmith PNC 12/345678A", "confirm_personal_data": "on"}

    warned = client.post(url, data)
    posted = client.post(url, {**data, "mentions_checked": "jsmith"})

    assert warned.status_code == 200
    assert 'name="confirm_personal_data" type="checkbox" checked' in warned.content.decode()
    assert posted.status_code == 302
    assert thread.posts.get(number=2).status == Post.Status.PENDING  # Held for a moderator.
