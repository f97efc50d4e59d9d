"""Editors build events in the admin; the page's own checks catch impossible dates and places."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.models import Group
from django.utils import timezone
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from accounts.models import User
from events.models import EventIndexPage, EventPage

from .factories import EventIndexPageFactory, VenueFactory

pytestmark = pytest.mark.django_db

FORMAT = "%Y-%m-%d %H:%M"


@pytest.fixture
def editor_client(client):
    user = User.objects.create_user(email="events.editor@kx.example", password="x" * 14)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    user.groups.add(Group.objects.get(name="Editors"))
    TOTP.activate(user, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
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
                }
            ]
        ),
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
