"""The event pages run a fixed number of queries however many events or sessions there are."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import OrganisationKind
from events.models import EventSessionMaterial, Speaker
from events.services import registration_create
from kx_site.audience import Audience, Marking
from practice_library.models import Topic
from tests.factories import PractitionerFactory

from .factories import (
    EventIndexPageFactory,
    EventPageFactory,
    EventSessionFactory,
    MaterialDocumentFactory,
    SpeakerPhotoFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("production_caches")]


def queries_for(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def event_with_programme(sessions, practitioner):
    """An event with ``sessions`` sessions, each with speakers (with photos) and materials, and
    some with places taken."""
    event = EventPageFactory(capacity=50)
    speakers = [
        Speaker.objects.create(name=f"Speaker {n}", role="Inspector", photo=SpeakerPhotoFactory())
        for n in range(3)
    ]
    programme = []
    for n in range(sessions):
        session = EventSessionFactory(
            event=event,
            start=event.start + timedelta(minutes=15 * n),
            end=event.start + timedelta(minutes=15 * n + 15),
            capacity=10 if n % 2 else None,
            track=f"Track {n % 3}",
            description="What we will cover.",
        )
        session.speakers.set(speakers[: 1 + n % 3])
        session.save()
        EventSessionMaterial.objects.create(
            session=session, title=f"Slides for session {n}", document=MaterialDocumentFactory()
        )
        programme.append(session)
    registration_create(event=event, user=practitioner, sessions=programme[:2])
    registration_create(event=event, user=PractitionerFactory(), sessions=programme[:2])
    return event


def test_an_event_page_runs_the_same_queries_for_30_sessions_as_for_3(
    client, practitioner, django_assert_max_num_queries, renditions
):
    client.force_login(practitioner)
    small = event_with_programme(3, practitioner)
    large = event_with_programme(30, practitioner)
    # Warm the caches (sites, session) the first request fills; make the photos' renditions.
    queries_for(client, small.url)
    queries_for(client, large.url)
    small_count = queries_for(client, small.url)

    url = large.url  # Built outside the count: ``page.url`` reads the site root paths itself.
    with django_assert_max_num_queries(small_count):
        response = client.get(url)

    assert response.status_code == 200
    content = response.content.decode()
    assert content.count("What we will cover.") == 30
    assert content.count("Slides for session") == 30
    assert content.count("fill-96x96") == 60  # one to three speakers a session


def test_an_event_page_for_a_signed_out_visitor_runs_the_same_queries(
    client, django_assert_max_num_queries, renditions
):
    practitioner = PractitionerFactory()
    small = event_with_programme(3, practitioner)
    large = event_with_programme(30, practitioner)
    small.audience = large.audience = Audience.PUBLIC
    small.save()
    large.save()
    queries_for(client, small.url)
    queries_for(client, large.url)
    small_count = queries_for(client, small.url)

    url = large.url  # Built outside the count: ``page.url`` reads the site root paths itself.
    with django_assert_max_num_queries(small_count):
        response = client.get(url)

    assert response.status_code == 200
    content = response.content.decode()
    assert content.count("What we will cover.") == 30
    assert content.count("fill-96x96") == 60
    # Materials are for delegates and practitioners, not for anyone who may read the page.
    assert "Slides for session" not in content


def make_events(count):
    """``count`` upcoming events of every kind, audience, marking and sort of venue."""
    events = []
    for n in range(count):
        fields = {"audience": Audience.PRACTITIONERS}
        if n % 4 == 1:
            fields = {"is_online": True, "venue": None, "joining_link": "https://meet.example/x"}
        if n % 4 == 2:
            fields = {
                "audience": Audience.RESTRICTED,
                "restricted_to_kinds": [OrganisationKind.POLICE_FORCE],
            }
        if n % 4 == 3:
            fields = {"marking": Marking.OFFICIAL_SENSITIVE, "kind": "conference"}
        event = EventPageFactory(**fields)
        event.topics.set(Topic.objects.order_by("pk")[: n % 3])
        event.save()
        events.append(event)
    return events


# Filters and pages of the listing, each checked against its own count for five events. One
# test for all three: growing to 200 events is most of its time.
INDEX_QUERIES = ["", "?kind=workshop&page=3", "?topic=mappa&region=national"]


def test_the_event_index_runs_the_same_queries_for_200_events_as_for_5(
    client, practitioner, django_assert_max_num_queries
):
    client.force_login(practitioner)
    index = EventIndexPageFactory()
    make_events(5)
    queries_for(client, index.url)
    small_counts = {query: queries_for(client, index.url + query) for query in INDEX_QUERIES}
    make_events(195)

    for query, small_count in small_counts.items():
        url = index.url + query  # Built outside the count, as ``queries_for`` does.
        with django_assert_max_num_queries(small_count):
            response = client.get(url)

        assert response.status_code == 200
        assert response.context["events_page"].paginator.count >= 100
