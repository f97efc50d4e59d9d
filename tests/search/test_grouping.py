"""One briefing's recommendations are grouped on the results page (issue 12): its best two are
shown where the best ranks, with "N more from this briefing" linking to the same search within
that briefing. Counts follow permissions; the total and the page links stay those of every match.
"""

import re

import pytest

from accounts.models import OrganisationKind
from kx_site.audience import Audience
from search import services
from search.index import alias_name
from search.models import SearchEntry
from search.presentation import GROUP_SHOWN
from tests.briefings.factories import BriefingPageFactory, RecommendationFactory
from tests.factories import UserFactory
from tests.practice_library.factories import PracticePageFactory

pytestmark = pytest.mark.django_db


def briefing_with_recommendations(count, title="Kestrel findings"):
    briefing = BriefingPageFactory(title=title, audience=Audience.REGISTERED)
    recommendations = [
        RecommendationFactory(
            briefing=briefing, number=n, text=f"Forces should log kestrel visit {n} promptly."
        )
        for n in range(1, count + 1)
    ]
    return briefing, recommendations


def practices(count):
    return [
        PracticePageFactory(
            title=f"Kestrel practice {n}",
            slug=f"kestrel-practice-{n}",
            summary="Kestrel work.",
            audience=Audience.REGISTERED,
        )
        for n in range(count)
    ]


def shown(response):
    """(keys of the results shown, [(parent key, keys in the group, more)])."""
    keys, groups = [], []
    for row in response.context["rows"]:
        if "group" in row:
            group = row["group"]
            keys += [hit.key for hit in group.hits]
            groups.append((group.parent_key, [hit.key for hit in group.hits], group.more))
        else:
            keys.append(row["hit"].key)
    return keys, groups


def test_a_briefings_recommendations_are_grouped_with_a_link_to_the_rest(backend, client):
    briefing, recommendations = briefing_with_recommendations(5)
    backend.index()
    client.force_login(UserFactory())
    response = client.get("/search/", {"q": "kestrel"})
    keys, groups = shown(response)
    parent = f"briefing:{briefing.pk}"
    assert groups == [(parent, keys[1 : 1 + GROUP_SHOWN], 5 - GROUP_SHOWN)]
    assert keys[0] == parent  # the briefing itself is an ordinary result
    assert response.context["results"].total == 6  # every match is still counted
    html = response.content.decode()
    link = re.search(r'href="\?([^"]*)">3 more from this briefing', html)
    assert link, html

    # The link is the same search within the briefing: every matching recommendation, ungrouped,
    # with the briefing shown as a chosen filter that can be removed.
    within = client.get("/search/?" + link.group(1).replace("&amp;", "&"))
    keys, groups = shown(within)
    assert groups == []
    assert sorted(keys) == sorted(f"recommendation:{r.pk}" for r in recommendations)
    assert "Within: Kestrel findings" in within.content.decode()


def test_more_counts_only_what_the_reader_may_see(backend, client):
    briefing, recommendations = briefing_with_recommendations(5)
    backend.index()
    # Two of them restricted to police forces (recommendations share their briefing's audience
    # today; the count must not rely on that).
    restricted = [f"recommendation:{r.pk}" for r in recommendations[3:]]
    SearchEntry.objects.filter(key__in=restricted).update(
        audience=Audience.RESTRICTED,
        restricted_to_kinds=[OrganisationKind.POLICE_FORCE],
        needs_engine_sync=True,
    )
    if backend.engine:
        services.search_engine_sync()
        backend.engine.refresh(alias_name())
    client.force_login(UserFactory())
    keys, groups = shown(client.get("/search/", {"q": "kestrel"}))
    assert not set(keys) & set(restricted)
    assert groups == [(f"briefing:{briefing.pk}", keys[1 : 1 + GROUP_SHOWN], 3 - GROUP_SHOWN)]
    within = client.get("/search/", {"q": "kestrel", "within": f"briefing:{briefing.pk}"})
    assert within.context["results"].total == 3


def test_grouping_keeps_the_pages_of_every_match(backend, client):
    briefing_with_recommendations(25)
    practice_keys = {f"practice:{p.pk}" for p in practices(10)}
    backend.index()
    client.force_login(UserFactory())
    first = client.get("/search/", {"q": "kestrel"})
    second = client.get("/search/", {"q": "kestrel", "page": 2})
    assert first.context["results"].total == second.context["results"].total == 36
    assert first.context["results_page"].paginator.num_pages == 2
    first_keys, first_groups = shown(first)
    second_keys, _ = shown(second)
    # No result is lost or shown twice: what a page folds away is in its group's "N more".
    assert not set(first_keys) & set(second_keys)
    assert practice_keys <= set(first_keys) | set(second_keys)
    ((_parent, group_keys, more),) = first_groups
    assert len(group_keys) == GROUP_SHOWN and more == 25 - GROUP_SHOWN
    assert "showing 1 to 20" in first.content.decode()
    assert "showing 21 to 36" in second.content.decode()


def test_a_lone_recommendation_is_an_ordinary_result(backend, client):
    briefing_with_recommendations(1)
    backend.index()
    client.force_login(UserFactory())
    keys, groups = shown(client.get("/search/", {"q": "kestrel"}))
    assert groups == []
    assert len(keys) == 2


def test_within_must_name_an_item(client):
    response = client.get("/search/", {"q": "kestrel", "within": "not a key"})
    assert response.status_code == 200
    assert "Choose a briefing from the results" in response.content.decode()
