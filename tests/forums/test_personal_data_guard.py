"""Posts with likely identifiers: the author sees what was found and must edit or confirm;
confirmed posts wait for a moderator before anyone else reads them."""

import pytest
from django.urls import reverse

from forums import services
from forums.models import Post, Thread

from .conftest import start_thread

pytestmark = pytest.mark.django_db


def test_findings_are_shown_and_nothing_is_saved_until_confirmed(client, police, cross_agency):
    client.force_login(police)
    url = reverse("forums:thread_new", args=[cross_agency.slug])
    data = {"title": "A tricky case", "body": "He was born 1 February 1980, drives AB12 CDE."}

    response = client.post(url, data)

    assert response.status_code == 400
    content = response.content.decode()
    assert "Your post may contain personal data" in content
    assert "a date of birth: “born 1 February 1980”" in content
    assert "a vehicle registration: “AB12 CDE”" in content
    assert "He was born 1 February 1980" in content  # Nothing the author wrote is lost.
    assert not Thread.objects.exists()

    response = client.post(url, {**data, "confirm_personal_data": "on"})

    assert response.status_code == 302
    post = Post.objects.get()
    assert post.status == Post.Status.PENDING
    assert post.hold_reason == Post.HoldReason.PERSONAL_DATA
    assert {f["kind"] for f in post.identifier_findings} == {"date_of_birth", "vehicle"}
    assert not post.thread.is_visible


def test_a_confirmed_reply_is_hidden_from_others_until_approved(
    client, police, probation, moderator, cross_agency
):
    thread = start_thread(cross_agency, police)
    with pytest.raises(services.PersonalDataFound) as found:
        services.post_reply(thread=thread, author=probation, body="Call him on 07700 900123")
    assert found.value.findings[0]["kind"] == "phone"

    reply = services.post_reply(
        thread=thread, author=probation, body="Call him on 07700 900123", confirmed_findings=True
    )

    client.force_login(police)
    page = client.get(reverse("forums:thread", args=[thread.pk]))
    assert b"07700 900123" not in page.content
    assert b"This post is waiting for a moderator." in page.content
    client.force_login(probation)
    assert b"07700 900123" in client.get(reverse("forums:thread", args=[thread.pk])).content
    client.force_login(moderator)
    queue = client.get(reverse("forums_moderation:queue"))
    assert reply.get_hold_reason_display().encode() in queue.content


def test_editing_in_personal_data_sends_a_post_back_to_the_queue(police, cross_agency):
    thread = start_thread(cross_agency, police)
    post = thread.posts.get()

    services.post_edit(post=post, editor=police, body="Postcode ME14 1XX", confirmed_findings=True)

    post.refresh_from_db()
    thread.refresh_from_db()
    assert post.status == Post.Status.PENDING
    assert thread.post_count == 0


def test_ordinary_practice_posts_go_straight_up(police, cross_agency):
    thread = start_thread(
        cross_agency,
        police,
        body="On 12/03/2024 we held a MAPPA meeting about 40 cases and ARMS 2.0.",
    )

    assert thread.posts.get().status == Post.Status.VISIBLE
