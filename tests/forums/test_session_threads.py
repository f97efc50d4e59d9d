"""Each conference session can have a discussion thread, opened from the event's admin and
linked both ways."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.models import User
from forums import services
from forums.models import Thread
from tests.events.factories import EventPageFactory, EventSessionFactory
from tests.factories import with_second_factor

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser(db):
    user = User.objects.create_user(email="organiser@kx.example", password="x" * 14)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    user.groups.add(Group.objects.get(name="Event organisers"))
    with_second_factor(user)
    return user


@pytest.fixture
def session(db):
    return EventSessionFactory(event=EventPageFactory(), title="Protective factors workshop")


def test_an_organiser_opens_a_session_thread_from_the_admin(
    client, organiser, session, cross_agency
):
    client.force_login(organiser)
    listing = client.get(reverse("forums_discussions:event_discussions", args=[session.event_id]))
    assert b"Open a discussion thread" in listing.content

    response = client.post(
        reverse("forums_discussions:session_thread", args=[session.pk]),
        {"category": cross_agency.pk},
    )

    assert response.status_code == 302
    thread = Thread.objects.get(session=session)
    assert thread.category == cross_agency
    assert thread.is_visible and thread.post_count == 1
    assert "Protective factors workshop" in thread.title
    listing = client.get(reverse("forums_discussions:event_discussions", args=[session.event_id]))
    assert thread.title.encode() in listing.content


def test_a_session_has_one_thread_and_members_cannot_open_one(
    police, moderator, session, cross_agency
):
    with pytest.raises(PermissionDenied):
        services.thread_create_for_session(session=session, category=cross_agency, actor=police)
    services.thread_create_for_session(session=session, category=cross_agency, actor=moderator)
    with pytest.raises(ValidationError):
        services.thread_create_for_session(session=session, category=cross_agency, actor=moderator)


def test_practitioners_cannot_open_the_admin_view(client, police, session):
    client.force_login(police)

    response = client.get(reverse("forums_discussions:session_thread", args=[session.pk]))

    assert response.status_code in (302, 403)
    assert not Thread.objects.exists()


def test_the_event_page_and_the_thread_link_to_each_other(
    client, moderator, police, probation, session, cross_agency, police_only
):
    thread = services.thread_create_for_session(
        session=session, category=police_only, actor=moderator
    )
    client.force_login(police)

    event_page = client.get(session.event.url)
    thread_page = client.get(reverse("forums:thread", args=[thread.pk]))

    assert thread.get_absolute_url().encode() in event_page.content
    assert b"Discuss this session in the forums" in event_page.content
    assert session.event.url.encode() in thread_page.content

    client.force_login(probation)  # Probation may not see the police-only category.
    event_page = client.get(session.event.url)
    assert event_page.status_code == 200
    assert b"Discuss this session in the forums" not in event_page.content


def test_the_event_page_costs_the_same_queries_with_many_session_threads(
    client, moderator, police, cross_agency, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def event_with_threads(count):
        event = EventPageFactory()
        for n in range(count):
            session = EventSessionFactory(event=event, title=f"Session {n}")
            services.thread_create_for_session(
                session=session, category=cross_agency, actor=moderator
            )
        return event

    small, large = event_with_threads(1), event_with_threads(8)
    client.force_login(police)
    client.get(small.url)
    with CaptureQueriesContext(connection) as captured:
        client.get(small.url)

    with django_assert_max_num_queries(len(captured.captured_queries)):
        response = client.get(large.url)
    assert response.content.count(b"Discuss this session in the forums") == 8


def test_a_sensitive_event_needs_a_sensitive_category(moderator, cross_agency, probation_only):
    event = EventPageFactory(marking="official_sensitive")
    session = EventSessionFactory(event=event)

    with pytest.raises(ValidationError):
        services.thread_create_for_session(session=session, category=cross_agency, actor=moderator)
    thread = services.thread_create_for_session(
        session=session, category=probation_only, actor=moderator
    )
    assert thread.session == session


def test_only_organisers_and_moderators_open_the_session_thread_screens(
    client, police, moderator, session, cross_agency
):
    from tests.factories import staff_member

    people = {
        "anonymous": None,
        "member": police,
        "moderator without a second factor": staff_member("Moderators", second_factor=False),
        "organiser without a second factor": staff_member("Event organisers", second_factor=False),
        "editor": staff_member("Editors"),
        "event organiser": staff_member("Event organisers"),
        "moderator": moderator,
    }
    allowed = {"event organiser", "moderator"}
    listing = reverse("forums_discussions:event_discussions", args=[session.event_id])
    opening = reverse("forums_discussions:session_thread", args=[session.pk])
    for who, user in people.items():
        client.logout()
        if user is not None:
            client.force_login(user)
        for url in (listing, opening):
            status = client.get(url).status_code
            if who in allowed:
                assert status == 200, (who, url)
            else:
                assert status in (302, 403), (who, url, status)
        if who not in allowed:
            assert client.post(opening, {"category": cross_agency.pk}).status_code in (302, 403)
    assert not Thread.objects.exists()

    client.force_login(people["editor"])
    assert client.get(listing).status_code == 403  # A plain 403, not Wagtail's redirect.
    client.force_login(moderator)
    response = client.post(opening, {"category": cross_agency.pk})
    assert response["Location"] == listing
    assert Thread.objects.filter(session=session).count() == 1
    again = client.post(opening, {"category": cross_agency.pk})
    assert again.status_code == 200 and b'id="session-thread"' in again.content
    assert Thread.objects.filter(session=session).count() == 1
    missing = reverse("forums_discussions:session_thread", args=[session.pk + 1000])
    assert client.get(missing).status_code == 404
