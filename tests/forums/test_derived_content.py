"""A session's discussion thread quotes the session and links its event: it may only live where
every reader of the category may see the event, and neither side may later drift apart."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import OrganisationKind
from forums import services
from forums.models import Thread
from kx_site.audience import Audience, Marking
from search.services import search_entries_rebuild
from tests.events.factories import EventPageFactory, EventSessionFactory
from tests.factories import staff_member

pytestmark = pytest.mark.django_db

POLICE_ONLY = {
    "audience": Audience.RESTRICTED,
    "restricted_to_kinds": [OrganisationKind.POLICE_FORCE],
}


@pytest.fixture
def organiser(db):
    return staff_member("Event organisers")


@pytest.fixture
def police_event_session(db):
    event = EventPageFactory(title="Kingfisher police-only day", **POLICE_ONLY)
    return EventSessionFactory(event=event, title="Closed session on covert visits")


def test_a_police_only_event_cannot_have_its_thread_in_a_cross_agency_category(
    client, organiser, police_event_session, cross_agency
):
    client.force_login(organiser)

    response = client.post(
        reverse("forums_discussions:session_thread", args=[police_event_session.pk]),
        {"category": cross_agency.pk},
    )

    assert response.status_code == 200
    assert "narrower audience" in response.content.decode()
    assert not Thread.objects.filter(session=police_event_session).exists()
    with pytest.raises(ValidationError, match="narrower audience"):
        services.thread_create_for_session(
            session=police_event_session, category=cross_agency, actor=organiser
        )


def test_a_probation_only_category_cannot_quote_a_police_only_event(
    organiser, police_event_session, probation_only
):
    with pytest.raises(ValidationError, match="narrower audience"):
        services.thread_create_for_session(
            session=police_event_session, category=probation_only, actor=organiser
        )


def test_a_police_only_category_may_hold_the_police_only_event_thread(
    organiser, police_event_session, police_only
):
    thread = services.thread_create_for_session(
        session=police_event_session, category=police_only, actor=organiser
    )

    assert thread.category == police_only


def test_a_sensitive_event_still_needs_a_sensitive_category(organiser, police_only):
    event = EventPageFactory(marking=Marking.OFFICIAL_SENSITIVE, **POLICE_ONLY)
    session = EventSessionFactory(event=event)

    with pytest.raises(ValidationError, match="OFFICIAL-SENSITIVE"):
        services.thread_create_for_session(session=session, category=police_only, actor=organiser)


def test_narrowing_the_event_after_its_thread_exists_is_refused(
    organiser, cross_agency, police_only
):
    session = EventSessionFactory(event=EventPageFactory(title="Open practitioners day"))
    services.thread_create_for_session(session=session, category=cross_agency, actor=organiser)
    event = session.event

    event.audience = Audience.RESTRICTED
    event.restricted_to_kinds = [OrganisationKind.POLICE_FORCE]

    with pytest.raises(ValidationError) as refused:
        event.full_clean()
    assert "audience" in refused.value.message_dict
    assert "Risk management" in " ".join(refused.value.message_dict["audience"])


def test_widening_a_category_that_holds_a_restricted_event_thread_is_refused(
    organiser, police_event_session, police_only
):
    services.thread_create_for_session(
        session=police_event_session, category=police_only, actor=organiser
    )

    police_only.audience = Audience.PRACTITIONERS

    with pytest.raises(ValidationError) as refused:
        police_only.full_clean()
    assert "Kingfisher police-only day" in " ".join(refused.value.message_dict["audience"])


def test_widening_a_category_through_the_admin_shows_the_refusal(
    client, organiser, police_event_session, police_only
):
    services.thread_create_for_session(
        session=police_event_session, category=police_only, actor=organiser
    )
    client.force_login(staff_member("superuser"))
    edit_url = reverse("wagtailsnippets_forums_forumcategory:edit", args=[police_only.pk])

    response = client.post(
        edit_url,
        {
            "name": police_only.name,
            "slug": police_only.slug,
            "description": police_only.description,
            "sort_order": 0,
            "audience": Audience.PRACTITIONERS,
            "marking": Marking.OFFICIAL,
        },
    )

    assert response.status_code == 200
    assert "narrower audience" in response.content.decode()
    police_only.refresh_from_db()
    assert police_only.audience == Audience.RESTRICTED


def test_a_moderator_cannot_move_the_thread_into_a_wider_category(
    organiser, police_event_session, police_only, cross_agency
):
    thread = services.thread_create_for_session(
        session=police_event_session, category=police_only, actor=organiser
    )

    with pytest.raises(ValidationError, match="narrower audience"):
        services.thread_move(
            thread=thread, moderator=staff_member("Moderators"), category=cross_agency
        )
    thread.refresh_from_db()
    assert thread.category == police_only


def test_the_moderation_screen_says_why_the_move_was_refused(
    client, organiser, police_event_session, police_only, cross_agency
):
    thread = services.thread_create_for_session(
        session=police_event_session, category=police_only, actor=organiser
    )
    client.force_login(staff_member("Moderators"))

    response = client.post(
        reverse("forums_moderation:thread_action", args=[thread.pk, "move"]),
        {"category": cross_agency.pk},
        follow=True,
    )

    assert "narrower audience" in response.content.decode()
    thread.refresh_from_db()
    assert thread.category == police_only


def test_a_thread_that_drifted_hides_the_event_from_readers_who_may_not_see_it(
    client, organiser, police_event_session, police_only, cross_agency, probation
):
    """Data from before the rule: the thread page must not name or link the event."""
    thread = services.thread_create_for_session(
        session=police_event_session, category=police_only, actor=organiser
    )
    Thread.objects.filter(pk=thread.pk).update(category=cross_agency)
    client.force_login(probation)

    response = client.get(thread.get_absolute_url())

    assert response.status_code == 200
    assert police_event_session.event.url not in response.content.decode()
    assert "Kingfisher police-only day</a>" not in response.content.decode()


def test_the_refused_thread_reaches_no_channel(
    client, organiser, police_event_session, cross_agency, probation
):
    """The probe's path: the thread would have named the event in the category list and search."""
    with pytest.raises(ValidationError):
        services.thread_create_for_session(
            session=police_event_session, category=cross_agency, actor=organiser
        )
    search_entries_rebuild()
    client.force_login(probation)

    pages = [
        reverse("forums:index"),
        reverse("forums:category", args=[cross_agency.slug]),
        f"{reverse('search:search')}?q=Kingfisher",
        f"{reverse('search:api')}?q=Kingfisher",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        content = response.content.decode()
        assert "police-only day" not in content, url
        assert "covert visits" not in content, url
