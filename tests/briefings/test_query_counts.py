"""The briefing listings and pages run a fixed number of queries however much there is."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from briefings.models import BriefingRelatedEvent
from briefings.services import recommendation_status_change
from kx_site.audience import Audience, Marking
from practice_library.models import Topic
from tests.events.factories import EventPageFactory

from .factories import BriefingPageFactory, RecommendationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("production_caches")]


def queries_for(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def make_briefings(count, recommendations=3):
    topics = list(Topic.objects.all()[:3])
    for n in range(count):
        fields = {"audience": Audience.PRACTITIONERS}
        if n % 3 == 1:
            fields = {"audience": Audience.RESTRICTED, "restricted_to_kinds": ["police_force"]}
        if n % 3 == 2:
            fields = {"audience": Audience.PUBLIC, "marking": Marking.OFFICIAL_SENSITIVE}
        briefing = BriefingPageFactory(**fields)
        briefing.topics.set(topics[: 1 + n % 3])
        briefing.save()
        for number in range(1, recommendations + 1):
            recommendation = RecommendationFactory(briefing=briefing, number=number)
            if number % 2:
                recommendation_status_change(recommendation=recommendation, status="accepted")
                recommendation_status_change(recommendation=recommendation, status="implemented")


@pytest.mark.parametrize("query_string", ["", "?page=2"])
def test_the_index_runs_the_same_queries_for_60_briefings_as_for_3(
    practitioner_client, django_assert_max_num_queries, query_string
):
    make_briefings(3, recommendations=0)
    queries_for(practitioner_client, "/briefings/")
    small_count = queries_for(practitioner_client, "/briefings/" + query_string)
    make_briefings(57, recommendations=0)

    with django_assert_max_num_queries(small_count):
        response = practitioner_client.get("/briefings/" + query_string)

    # A Kent Police practitioner may see all of them, police-only ones included.
    assert response.context["briefings_page"].paginator.count == 60


@pytest.mark.parametrize(
    "query_string", ["", "?status=implemented&owner=police", "?topic=mappa&page=2"]
)
def test_the_tracker_runs_the_same_queries_for_300_recommendations_as_for_6(
    practitioner_client, django_assert_max_num_queries, query_string
):
    make_briefings(2)
    url = "/briefings/recommendations/" + query_string
    queries_for(practitioner_client, url)
    small_count = queries_for(practitioner_client, url)
    make_briefings(58, recommendations=5)

    with django_assert_max_num_queries(small_count):
        response = practitioner_client.get(url)

    assert response.status_code == 200


def test_a_briefing_page_runs_the_same_queries_for_30_recommendations_as_for_3(
    practitioner_client, django_assert_max_num_queries
):
    small = BriefingPageFactory()
    large = BriefingPageFactory()
    for briefing, count in ((small, 3), (large, 30)):
        for number in range(1, count + 1):
            recommendation = RecommendationFactory(briefing=briefing, number=number)
            recommendation_status_change(recommendation=recommendation, status="accepted")
        for _ in range(count // 3):
            BriefingRelatedEvent.objects.create(briefing=briefing, page=EventPageFactory())
    queries_for(practitioner_client, small.url)
    small_count = queries_for(practitioner_client, small.url)

    url = large.url  # Built outside the count: ``page.url`` reads the site root paths itself.
    with django_assert_max_num_queries(small_count):
        response = practitioner_client.get(url)

    assert response.content.decode().count("History of recommendation") == 30
