"""A result's own words outweigh what it inherits from its parent (issue 12).

Recommendations inherit their briefing's title and topics. Searching "mappa" used to list a
MAPPA briefing's recommendations, most never mentioning MAPPA, above practices with MAPPA in
their title. Runs on every backend: the engine (with SEARCH_URL), and the database, which is
PostgreSQL full-text search under ``DATABASE_URL=postgres://…`` and the ``icontains`` fallback
on SQLite.
"""

import pytest

from kx_site.audience import Audience
from practice_library.models import Topic
from search import selectors
from search.models import SearchEntry
from search.queries import SearchQuery
from tests.briefings.factories import BriefingPageFactory, RecommendationFactory
from tests.factories import UserFactory
from tests.practice_library.factories import PracticePageFactory

pytestmark = pytest.mark.django_db

INHERITING = 6  # recommendations that only inherit MAPPA from their briefing


def corpus():
    mappa = Topic.objects.get_or_create(slug="mappa", defaults={"name": "MAPPA"})[0]
    risk = Topic.objects.get_or_create(slug="risk", defaults={"name": "Risk"})[0]
    # MAPPA among the briefing's topics: each recommendation inherits it, and the title too.
    briefing = BriefingPageFactory(
        title="Public protection panels: interim findings", audience=Audience.REGISTERED
    )
    briefing.topics.set([mappa])
    briefing.save()
    for number in range(1, INHERITING + 1):
        RecommendationFactory(
            briefing=briefing,
            number=number,
            text=f"Forces should record visit outcome {number} within five working days.",
        )
    own = RecommendationFactory(
        briefing=briefing,
        number=INHERITING + 1,
        text="Chairs should circulate MAPPA minutes within five working days.",
    )
    practice = PracticePageFactory(
        title="MAPPA level 2 meeting checklist",
        slug="mappa-checklist",
        summary="Agencies arrive at each meeting with current information.",
        description="Chairs circulate the checklist ten days before each meeting.",
        audience=Audience.REGISTERED,
        topics=[risk],
    )
    return briefing, own, practice


def test_a_practice_titled_mappa_outranks_recommendations_that_inherit_mappa(backend):
    briefing, own, practice = corpus()
    backend.index()
    results = selectors.search(SearchQuery(text="mappa"), UserFactory())
    keys = [hit.key for hit in results.hits]
    # Every recommendation is still found through what it inherits...
    assert len([k for k in keys if k.startswith("recommendation:")]) == INHERITING + 1
    # ...but the practice with MAPPA in its title comes first, and the one recommendation that
    # says MAPPA itself ranks above those that only inherit it.
    assert keys[0] == f"practice:{practice.pk}", [hit.title for hit in results.hits]
    assert keys.index(f"recommendation:{own.pk}") < min(
        i for i, k in enumerate(keys) if k.startswith("recommendation:") and k != own_key(own)
    )
    # Results still show the recommendation's briefing in its title.
    shown = {hit.key: hit.title for hit in results.hits}
    assert shown[own_key(own)] == f"Recommendation {own.number}: {briefing.title}"


def own_key(recommendation):
    return f"recommendation:{recommendation.pk}"


def test_inherited_words_are_kept_apart_from_the_items_own(backend):
    briefing, own, _practice = corpus()
    backend.index()
    entry = SearchEntry.objects.get(key=own_key(own))
    assert entry.title == f"Recommendation {own.number}"
    assert entry.topic_names == ""
    assert entry.inherited_text == f"{briefing.title} MAPPA"
    # Filtering by the briefing's topic still finds its recommendations.
    assert entry.topic_slugs == ["mappa"]
    filtered = selectors.search(SearchQuery(filters={"topic": ("mappa",)}), UserFactory())
    assert own_key(own) in [hit.key for hit in filtered.hits]


def test_recommendations_are_not_offered_as_you_type(backend):
    corpus()
    backend.index()
    # A recommendation's title repeats its briefing's, as a forum reply's repeats its thread's.
    assert selectors.suggest("Recommendation", UserFactory()) == []
    assert [s["type"] for s in selectors.suggest("MAPPA", UserFactory())] == ["practice"]
