"""Watching, @mentions, immediate emails, daily digests, one-click unsubscribe, and that nobody
hears about a category they may not see."""

import pytest
from django.core import mail
from django.urls import reverse

from forums import services
from forums.models import ForumSubscription, Notification, WatchLevel
from forums.notifications import send_daily_digests, unsubscribe_token
from tests.factories import PractitionerFactory, seeded_organisation

from .conftest import start_thread

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_tasks(django_capture_on_commit_callbacks):
    """Run what the services leave for after the commit: the notification task and emails."""

    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


def handle(user):
    return services.member_for(user).handle


def to(user):
    return [message for message in mail.outbox if message.to == [user.email]]


def test_a_mentioned_member_is_emailed_at_once(run_tasks, police, probation, cross_agency):
    thread = start_thread(cross_agency, police)

    run_tasks(
        services.post_reply,
        thread=thread,
        author=police,
        body=f"@{handle(probation)} how does probation do this?",
    )

    [message] = to(probation)
    assert "mentioned you" in message.subject
    assert thread.title in message.subject
    assert "how does probation do this?" in message.body
    assert f"/forums/threads/{thread.pk}/#post-2" in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["List-Unsubscribe"].startswith("<http://testserver/forums/")
    assert Notification.objects.get(user=probation).emailed_at is not None


def test_the_thread_author_hears_about_replies(run_tasks, police, probation, cross_agency):
    thread = start_thread(cross_agency, police)

    run_tasks(services.post_reply, thread=thread, author=probation, body="We pair visits.")

    [message] = to(police)
    assert "posted in a thread you watch" in message.subject
    assert not to(probation)  # Nobody is told about their own post.


def test_muting_a_thread_silences_even_mentions(run_tasks, police, probation, cross_agency):
    thread = start_thread(cross_agency, police)
    services.subscription_set(user=probation, thread=thread, level=WatchLevel.MUTE)

    run_tasks(services.post_reply, thread=thread, author=police, body=f"@{handle(probation)}")

    assert not to(probation)


def test_watching_a_category_brings_new_threads(run_tasks, police, probation, cross_agency):
    services.subscription_set(user=probation, category=cross_agency, level=WatchLevel.WATCH)

    run_tasks(start_thread, cross_agency, police, title="New in the category")

    assert "New in the category" in to(probation)[0].subject


def test_a_thread_level_wins_over_the_category_level(run_tasks, police, probation, cross_agency):
    services.subscription_set(user=probation, category=cross_agency, level=WatchLevel.WATCH)
    thread = start_thread(cross_agency, police)
    services.subscription_set(user=probation, thread=thread, level=WatchLevel.NORMAL)

    run_tasks(services.post_reply, thread=thread, author=police, body="More.")

    assert not to(probation)


def test_nobody_hears_about_a_category_they_may_not_see(run_tasks, police, probation, police_only):
    # A level set before the audience changed, and a mention: neither may reach them.
    ForumSubscription.objects.create(user=probation, category=police_only, level="watch")
    thread = start_thread(police_only, police)

    run_tasks(services.post_reply, thread=thread, author=police, body=f"@{handle(probation)}")

    assert not to(probation)
    assert not Notification.objects.filter(user=probation).exists()


def test_watching_a_hidden_category_is_refused(probation, police_only):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.subscription_set(user=probation, category=police_only, level="watch")


def test_never_means_no_email_and_no_digest(run_tasks, police, probation, cross_agency):
    services.email_frequency_set(user=probation, frequency="never")
    thread = start_thread(cross_agency, police)

    run_tasks(services.post_reply, thread=thread, author=police, body=f"@{handle(probation)}")
    run_tasks(send_daily_digests)

    assert not to(probation)


def test_daily_members_get_one_digest_and_never_twice(run_tasks, police, probation, cross_agency):
    services.email_frequency_set(user=probation, frequency="daily")
    thread = start_thread(cross_agency, police, title="Digest thread")
    for n in range(2):
        run_tasks(
            services.post_reply, thread=thread, author=police, body=f"@{handle(probation)} {n}"
        )
    assert not to(probation)

    assert run_tasks(send_daily_digests) == 1
    [digest] = to(probation)
    assert "2 new posts" in digest.subject
    assert digest.body.count("Digest thread") == 2
    assert "List-Unsubscribe" in digest.extra_headers
    assert run_tasks(send_daily_digests) == 0
    assert len(to(probation)) == 1


def test_sensitive_categories_are_titles_and_links_only(run_tasks, probation, probation_only):
    from tests.factories import ProbationPractitionerFactory

    colleague = ProbationPractitionerFactory(first_name="Kit", last_name="Colleague")
    services.email_frequency_set(user=colleague, frequency="daily")
    thread = start_thread(probation_only, probation, title="Sensitive practice")
    body = f"@{handle(colleague)} @{handle(probation)} the secret detail of the plan"

    run_tasks(services.post_reply, thread=thread, author=colleague, body=body)
    run_tasks(send_daily_digests)

    immediate = to(probation)[0]
    [digest] = to(colleague) or [None]
    assert "Sensitive practice" in immediate.body
    assert "secret detail" not in immediate.body
    assert "OFFICIAL-SENSITIVE" in immediate.body
    assert digest is None  # Colleague wrote the post; nothing about their own post.


def test_sensitive_digest_carries_no_post_text(run_tasks, probation, probation_only):
    from tests.factories import ProbationPractitionerFactory

    reader = ProbationPractitionerFactory(first_name="Rae", last_name="Reader")
    services.email_frequency_set(user=reader, frequency="daily")
    thread = start_thread(probation_only, probation, title="Sensitive digest thread")

    run_tasks(
        services.post_reply,
        thread=thread,
        author=probation,
        body=f"@{handle(reader)} the secret detail of the plan",
    )
    run_tasks(send_daily_digests)

    [digest] = to(reader)
    assert "Sensitive digest thread" in digest.body
    assert "secret detail" not in digest.body
    assert f"/forums/threads/{thread.pk}/" in digest.body


def test_digests_leave_out_posts_hidden_since(
    run_tasks, police, probation, moderator, cross_agency
):
    services.email_frequency_set(user=probation, frequency="daily")
    thread = start_thread(cross_agency, police)
    post = run_tasks(
        services.post_reply, thread=thread, author=police, body=f"@{handle(probation)} hi"
    )
    services.post_hide(post=post, moderator=moderator)

    assert run_tasks(send_daily_digests) == 0
    assert not to(probation)


def test_one_click_unsubscribe_works_without_signing_in(client, probation):
    url = reverse("forums:unsubscribe", args=[unsubscribe_token(probation)])

    page = client.get(url)
    assert page.status_code == 200
    assert b"Stop forum emails" in page.content
    response = client.post(url)  # As a mail program sends it: no session, no CSRF token.

    assert response.status_code == 200
    assert services.member_for(probation).email_frequency == "never"


def test_a_tampered_unsubscribe_link_does_nothing(client, probation):
    token = unsubscribe_token(probation)

    response = client.post(reverse("forums:unsubscribe", args=[token[:-2] + "xx"]))

    assert response.status_code == 404
    assert services.member_for(probation).email_frequency == "immediate"


def test_members_choose_when_they_are_emailed(client, probation):
    client.force_login(probation)
    url = reverse("forums:preferences")

    assert client.post(url, {}).status_code == 400
    response = client.post(url, {"email_frequency": "daily"})

    assert response.status_code == 302
    assert services.member_for(probation).email_frequency == "daily"


def test_a_failing_mail_server_never_fails_the_post(
    run_tasks, monkeypatch, police, probation, cross_agency
):
    from django.core.mail import EmailMultiAlternatives

    def refuse(self, *args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr(EmailMultiAlternatives, "send", refuse)
    thread = start_thread(cross_agency, police)

    post = run_tasks(services.post_reply, thread=thread, author=probation, body="Still posted")

    assert post.pk is not None
    assert Notification.objects.filter(user=police, post=post).exists()


def test_an_edit_tells_only_the_members_it_newly_mentions(
    run_tasks, police, probation, cross_agency
):
    thread = start_thread(cross_agency, police)
    watcher = PractitionerFactory(
        email="watcher@bedfordshire.police.uk",
        organisation=seeded_organisation("bedfordshire-police"),
    )
    already = PractitionerFactory(
        email="already@bedfordshire.police.uk",
        organisation=seeded_organisation("bedfordshire-police"),
    )
    post = run_tasks(
        services.post_reply, thread=thread, author=police, body=f"Hello @{handle(already)}"
    )
    services.subscription_set(user=watcher, thread=thread, level=WatchLevel.WATCH)
    mail.outbox.clear()

    run_tasks(
        services.post_edit,
        post=post,
        editor=police,
        body=f"Hello @{handle(already)} and @{handle(probation)}",
    )

    [message] = to(probation)
    assert "mentioned you" in message.subject
    # Nobody hears twice about one post, and watchers are not told about edits.
    assert not to(already) and not to(watcher) and not to(police)


def test_an_edit_mentioning_a_member_who_may_not_see_the_category_tells_nobody(
    run_tasks, police, probation, police_only
):
    thread = start_thread(police_only, police)
    post = run_tasks(services.post_reply, thread=thread, author=police, body="First words.")
    mail.outbox.clear()

    run_tasks(services.post_edit, post=post, editor=police, body=f"@{handle(probation)}")

    assert not to(probation)
