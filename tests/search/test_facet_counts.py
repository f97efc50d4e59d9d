"""Facet counts under several chosen filters, and snippets from deep in a long body.

The engine counts facets that share the same other filters in one aggregation and highlights
from offsets kept in the index (``search.queries``, ``search.index``): these tests pin that the
counts and snippets are what the content says, on the engine and on the database alike.
"""

import itertools
import time
from collections import Counter

import pytest

from kx_site.audience import Audience
from practice_library.models import DoesItWork, EvidenceStage, Topic
from search import queries
from search.index import alias_name
from search.queries import SearchQuery
from tests.practice_library.factories import PracticePageFactory

pytestmark = pytest.mark.django_db

RATINGS = [DoesItWork.WORKED, DoesItWork.PROMISING, DoesItWork.UNTESTED]
STAGES = [EvidenceStage.UNTESTED, EvidenceStage.EVALUATED_LOCALLY]


@pytest.fixture
def corpus(backend):
    """Twelve public practices spread over two topics, three ratings and two stages: (slug,
    topic slug, rating, stage) for each."""
    topics = [
        Topic.objects.get_or_create(slug=slug, defaults={"name": slug.title()})[0]
        for slug in ("plover", "dunlin")
    ]
    made = []
    combos = itertools.islice(itertools.cycle(itertools.product(topics, RATINGS, STAGES)), 12)
    for n, (topic, rating, stage) in enumerate(combos):
        slug = f"godwit-{n}"
        PracticePageFactory(
            title=f"Godwit practice {n}",
            slug=slug,
            audience=Audience.PUBLIC,
            topics=[topic],
            does_it_work=rating,
            evidence_stage=stage,
        )
        made.append((slug, topic.slug, str(rating), str(stage)))
    backend.index()
    return made


def expected_counts(corpus, chosen, facet):
    """What ``facet`` should count: the practices matching every chosen filter but its own."""
    column = {"topic": 1, "does_it_work": 2, "evidence_stage": 3}
    kept = [
        row
        for row in corpus
        if all(row[column[name]] in values for name, values in chosen.items() if name != facet)
    ]
    return dict(Counter(row[column[facet]] for row in kept))


@pytest.mark.parametrize(
    "chosen",
    [
        {},
        {"topic": ("plover",)},
        {"topic": ("plover",), "does_it_work": ("worked", "promising")},
        {"topic": ("dunlin",), "does_it_work": ("untested",), "evidence_stage": ("untested",)},
    ],
    ids=["none", "one", "two", "three"],
)
def test_each_facet_counts_under_every_other_chosen_filter(corpus, client, chosen):
    params = {"q": "godwit", **{name: list(values) for name, values in chosen.items()}}
    body = client.get("/api/search/", params).json()

    for facet in ("topic", "does_it_work", "evidence_stage"):
        counts = {f["value"]: f["count"] for f in body["facets"][facet]}
        assert counts == expected_counts(corpus, chosen, facet), facet
    # The results themselves match every chosen filter.
    column = {"topic": 1, "does_it_work": 2, "evidence_stage": 3}
    matching = [
        row for row in corpus if all(row[column[n]] in values for n, values in chosen.items())
    ]
    assert body["total"] == len(matching)
    assert {hit["url"].rstrip("/").rsplit("/", 1)[1] for hit in body["results"]} == {
        row[0] for row in matching
    }


def test_facet_buckets_reads_grouped_and_plain_aggregations():
    """The answer's shape: facets counted under no filter sit at the top, the others inside
    the filter aggregation they share."""
    terms = {"buckets": [{"key": 2024, "doc_count": 3}]}
    other = {"buckets": [{"key": "worked", "doc_count": 1}]}
    aggregations = {
        "year": terms,
        f"{queries.FACET_GROUP_PREFIX}topic": {"doc_count": 5, "topic": terms, "type": terms},
        f"{queries.FACET_GROUP_PREFIX}year": {"doc_count": 4, "does_it_work": other},
    }
    facets = queries.facet_buckets(aggregations)
    # A group read later never hides a facet found earlier, whatever the order.
    assert facets["year"] == facets["topic"] == facets["type"] == [("2024", 3)]
    assert facets["does_it_work"] == [("worked", 1)]
    assert facets["organisation"] == []
    assert list(facets) == [facet.name for facet in queries.FACETS]


def test_a_word_deep_in_a_long_body_gets_a_marked_snippet(backend, client):
    filler = " ".join(f"filler{n}" for n in range(3000))
    PracticePageFactory(
        title="Whimbrel practice",
        audience=Audience.PUBLIC,
        summary="Nothing to see in the summary.",
        description=f"{filler} the curlew landed here. {filler}",
    )
    backend.index()
    body = client.get("/api/search/", {"q": "curlew"}).json()
    assert body["total"] == 1
    highlight = body["results"][0]["highlight"]
    assert "<mark>curlew</mark>" in highlight and "filler2999" in highlight
    assert len(highlight) < 400


def test_search_body_asks_no_filter_aggregation_without_filters():
    """Unfiltered, every facet is a plain terms count over the matches (no filter wrapper)."""
    from django.contrib.auth.models import AnonymousUser

    aggs = queries.search_body(SearchQuery(text="godwit"), AnonymousUser())["aggs"]
    assert set(aggs) == {facet.name for facet in queries.FACETS}
    assert all(set(agg) == {"terms"} for agg in aggs.values())


def segment_counts(engine):
    """How many segments each copy of each shard of the index has."""
    segments = engine.client.indices.segments(index=alias_name())["indices"]
    shards = [shard for index in segments.values() for shard in index["shards"].values()]
    return [len(copy["segments"]) for shard in shards for copy in shard]


def test_a_merged_index_has_one_segment_and_gives_the_same_answers(engine_backend, client):
    for n in range(3):
        PracticePageFactory(title=f"Sanderling practice {n}", audience=Audience.PUBLIC)
        # Each indexing pass refreshes: a segment each, as a rebuild's batches leave them.
        engine_backend.index()
    engine = engine_backend.engine
    before = client.get("/api/search/", {"q": "sanderling"}).json()

    engine.force_merge(alias_name())

    # The merged-away segments are listed until the node releases the reader that held them,
    # which it does in the background: twice, on a busy machine, a moment after the merge.
    deadline = time.monotonic() + 10
    while (counts := segment_counts(engine)) != [1] and time.monotonic() < deadline:
        time.sleep(0.2)
    assert counts == [1]
    after = client.get("/api/search/", {"q": "sanderling"}).json()
    # The same matches and counts; equal scores may come in another order, and the scores
    # themselves move when the merge drops the deleted copies the word statistics counted.
    assert after["total"] == before["total"] == 3
    assert after["facets"] == before["facets"]
    assert sorted(r["url"] for r in after["results"]) == sorted(
        r["url"] for r in before["results"]
    )
