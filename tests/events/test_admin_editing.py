"""Editors build events in the admin; the page's own checks catch impossible dates and places."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.utils import timezone
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from accounts.models import Organisation, User
from events.models import EventIndexPage, EventPage, EventQuota, EventSessionMaterial
from practice_library.models import Topic
from tests.factories import with_second_factor

from .factories import (
    EventIndexPageFactory,
    EventPageFactory,
    EventSessionFactory,
    MaterialDocumentFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db

FORMAT = "%Y-%m-%d %H:%M"


@pytest.fixture
def editor_client(client):
    user = User.objects.create_user(email="events.editor@kx.example", password="x" * 14)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    user.groups.add(Group.objects.get(name="Editors"))
    with_second_factor(user)
    client.force_login(user)
    return client


def event_form(venue, **overrides):
    start = timezone.localtime() + timedelta(days=30)
    data = {
        "title": "Regional MAPPA workshop",
        "slug": "regional-mappa-workshop",
        "summary": "Joint working under MAPPA.",
        "kind": "workshop",
        "start": start.strftime(FORMAT),
        "end": (start + timedelta(hours=3)).strftime(FORMAT),
        "region": "wales",
        "venue": venue.pk,
        "joining_link": "",
        "capacity": 30,
        "registration_opens_at": timezone.localtime().strftime(FORMAT),
        "registration_closes_at": (start - timedelta(days=2)).strftime(FORMAT),
        "offer_hold_hours": 48,
        "body": streamfield([]),
        "sessions": inline_formset(
            [
                {
                    "title": "Case studies",
                    "start": start.strftime(FORMAT),
                    "end": (start + timedelta(hours=1)).strftime(FORMAT),
                    "room": "Room 1",
                    "track": "",
                    "capacity": "",
                    "description": "",
                    "materials": inline_formset([]),
                }
            ]
        ),
        "quotas": inline_formset([]),
        "audience": "practitioners",
        "marking": "official",
    }
    data.update(overrides)
    return nested_form_data(data)


def test_an_editor_can_create_an_event_with_its_programme(editor_client):
    index = EventIndexPageFactory()
    venue = VenueFactory()

    response = editor_client.post(
        f"/admin/pages/add/events/eventpage/{index.pk}/", event_form(venue)
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    event = EventPage.objects.get(slug="regional-mappa-workshop")
    assert [s.title for s in event.sessions.all()] == ["Case studies"]
    assert event.venue == venue


def test_an_event_that_ends_before_it_starts_is_refused_with_a_clear_error(editor_client):
    index = EventIndexPageFactory()
    venue = VenueFactory()
    start = timezone.localtime() + timedelta(days=30)

    response = editor_client.post(
        f"/admin/pages/add/events/eventpage/{index.pk}/",
        event_form(venue, end=(start - timedelta(hours=1)).strftime(FORMAT)),
    )

    assert response.status_code == 200
    assert "The end must be after the start." in response.content.decode()
    assert not EventPage.objects.filter(slug="regional-mappa-workshop").exists()


def test_events_live_only_under_the_events_index():
    index = EventIndexPageFactory()
    assert EventPage.can_create_at(index)
    assert not EventIndexPage.can_create_at(index)
    assert not EventPage.can_create_at(index.get_parent())


def test_an_editor_sets_quotas_topics_and_session_materials(editor_client, media_root):
    index = EventIndexPageFactory()
    venue = VenueFactory()
    document = MaterialDocumentFactory()
    kent = Organisation.objects.get(slug="kent-police")
    mappa, visits = Topic.objects.filter(slug__in=["mappa", "home-visits"]).order_by("name")
    release = timezone.localtime() + timedelta(days=10)
    form = event_form(
        venue,
        quotas_release_at=release.strftime(FORMAT),
        quotas=inline_formset(
            [
                {"organisation_kind": "police_force", "organisation": "", "places": 3},
                {"organisation_kind": "", "organisation": kent.pk, "places": 5},
            ]
        ),
    )
    form["topics"] = [mappa.pk, visits.pk]
    form.update(
        nested_form_data(
            {
                "sessions": inline_formset(
                    [
                        {
                            "title": "Case studies",
                            "start": form["start"],
                            "end": form["end"],
                            "room": "Room 1",
                            "track": "",
                            "capacity": "",
                            "description": "",
                            "materials": inline_formset(
                                [{"title": "Case study slides", "document": document.pk}]
                            ),
                        }
                    ]
                )
            }
        )
    )

    response = editor_client.post(f"/admin/pages/add/events/eventpage/{index.pk}/", form)

    assert response.status_code == 302, response.content.decode()[:3000]
    event = EventPage.objects.get(slug="regional-mappa-workshop")
    assert set(event.topics.all()) == {mappa, visits}
    assert event.quotas_release_at == release.replace(second=0, microsecond=0)
    assert [(q.organisation_kind, q.organisation, q.places) for q in event.quotas.all()] == [
        ("police_force", None, 3),
        ("", kent, 5),
    ]
    session = event.sessions.get()
    assert [(m.title, m.document) for m in session.materials.all()] == [
        ("Case study slides", document)
    ]


def test_a_quota_must_name_a_kind_or_an_organisation_but_not_both(editor_client):
    index = EventIndexPageFactory()
    kent = Organisation.objects.get(slug="kent-police")
    form = event_form(
        VenueFactory(),
        quotas=inline_formset(
            [{"organisation_kind": "police_force", "organisation": kent.pk, "places": 3}]
        ),
    )

    response = editor_client.post(f"/admin/pages/add/events/eventpage/{index.pk}/", form)

    assert response.status_code == 200
    assert "Choose either a kind of organisation or one organisation." in response.content.decode()
    assert not EventPage.objects.filter(slug="regional-mappa-workshop").exists()


def test_the_edit_page_shows_quotas_topics_and_materials(editor_client, media_root):
    event = EventPageFactory(quotas_release_at=timezone.now() + timedelta(days=3))
    session = EventSessionFactory(event=event, title="Case studies")
    EventSessionMaterial.objects.create(
        session=session, title="Case study slides", document=MaterialDocumentFactory()
    )
    EventQuota.objects.create(event=event, organisation_kind="police_force", places=3)
    event.save_revision()

    response = editor_client.get(f"/admin/pages/{event.pk}/edit/")

    assert response.status_code == 200
    content = response.content.decode()
    assert "Case study slides" in content
    assert 'name="quotas-0-places" value="3"' in content
    assert 'name="topics"' in content
