"""The library's facet counts and choice lists are kept until content changes (kx_site.page_cache),
for readers who may see the same practices, and never shown to a reader who may see others.

Transactions really commit here: a write retires what was kept when it commits, as in production.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import OrganisationKind
from kx_site.audience import Audience, reader_grant
from practice_library.models import Topic
from tests.factories import PractitionerFactory, ProbationPractitionerFactory, UserFactory

from .factories import PracticeIndexPageFactory, PracticePageFactory

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("production_caches"),
]
# Five facet counts and the topic and organisation lists.
KEPT_QUERIES = 7


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.KX_PAGE_CACHE_SECONDS = 300


@pytest.fixture
def topic():
    return Topic.objects.create(name="Facet test topic", slug="facet-test-topic")


@pytest.fixture
def index():
    return PracticeIndexPageFactory()


def topic_count(response, topic):
    """The count the library's topic filter shows beside ``topic``."""
    found = re.search(rf"{topic.name} \((\d+)\)", response.content.decode())
    assert found, f"no count for {topic.name}"
    return int(found.group(1))


def queries_of(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return response, len(captured)


def test_the_counts_are_kept_and_retired_when_a_practice_is_published(client, index, topic):
    PracticePageFactory(parent=index, topics=[topic])
    client.force_login(PractitionerFactory())

    before = client.get("/library/")  # also fills the caches that outlive content changes
    PracticePageFactory(parent=index, topics=[topic])
    counted, counted_queries = queries_of(client, "/library/")
    kept, kept_queries = queries_of(client, "/library/")

    assert topic_count(before, topic) == 1
    assert topic_count(counted, topic) == topic_count(kept, topic) == 2
    assert counted_queries - kept_queries == KEPT_QUERIES


def test_readers_who_may_see_other_practices_get_their_own_counts(client, index, topic):
    PracticePageFactory(parent=index, topics=[topic])
    PracticePageFactory(
        parent=index,
        topics=[topic],
        audience=Audience.RESTRICTED,
        restricted_to_kinds=[OrganisationKind.POLICE_FORCE],
    )
    police, probation = PractitionerFactory(), ProbationPractitionerFactory()
    counts = {}
    for reader in (police, probation, police):
        client.force_login(reader)
        counts.setdefault(reader.email, []).append(topic_count(client.get("/library/"), topic))

    assert counts[police.email] == [2, 2]
    assert counts[probation.email] == [1]


@pytest.mark.parametrize(
    "chosen",
    [
        "does_it_work=untested",
        "evidence_stage=independently_evaluated",
        "organisation_kind=probation_region",
        "organisation=probation-service-london",
    ],
)
def test_filters_chosen_are_part_of_what_is_kept(client, index, topic, chosen):
    """Each filter, chosen, leaves none of the (Kent Police, promising, locally evaluated)
    practices: the topic's count under it is not the one kept for the unfiltered library."""
    PracticePageFactory(parent=index, topics=[topic])
    client.force_login(PractitionerFactory())

    unfiltered = client.get("/library/")
    filtered = client.get(f"/library/?{chosen}")

    assert topic_count(unfiltered, topic) == 1
    assert topic_count(filtered, topic) == 0


def test_a_grant_says_all_that_decides_what_its_reader_sees(db):
    police = PractitionerFactory()
    keys = {
        "signed in, not a practitioner": reader_grant(UserFactory()).cache_key,
        "unverified email": reader_grant(UserFactory(email_verified=False)).cache_key,
        "police": reader_grant(police).cache_key,
        "police, the same force": reader_grant(PractitionerFactory()).cache_key,
        "probation": reader_grant(ProbationPractitionerFactory()).cache_key,
    }

    assert keys["police"] == keys["police, the same force"]
    assert len(set(keys.values())) == len(keys) - 1
    assert str(police.organisation_id) in keys["police"]
