"""Nothing a user may not see reaches them through search: not in results, facet counts,
suggestions, related items or the JSON API; on the engine and on the database alike.

What each user may see is decided by ``kx_site.audience.can_view``, the one rule."""

import pytest
from django.contrib.auth.models import AnonymousUser

from kx_site.audience import can_view
from search import selectors
from search.queries import SearchQuery

from .content import WORD, audience_events, audience_practices, users

pytestmark = pytest.mark.django_db


def visible_titles(items, user):
    return {item.title for item in items if can_view(user, item)}


@pytest.fixture
def world(backend):
    practices = audience_practices()
    public_event, secret_event = audience_events()
    backend.index()
    return practices, (public_event, secret_event), users()


def test_results_and_facets_hold_only_what_the_user_may_see(world):
    for who in people_of(world):
        check_results_and_facets(world, who)


def people_of(world):
    return list(world[2])


def check_results_and_facets(world, who):
    practices, events, people = world
    user = people[who]
    results = selectors.search(SearchQuery(text=WORD, per_page=50), user)

    expected = visible_titles(practices.values(), user)
    for event in events:
        if can_view(user, event):
            expected |= {event.title, *(s.title for s in event.sessions.all())}
    assert {hit.title for hit in results.hits} == expected
    assert results.total == len(expected)
    # Facet counts add up to what they may see, and a topic only restricted items carry is
    # not even named.
    assert sum(count for _value, count in results.facets["type"]) == len(expected)
    topics = dict(results.facets["topic"])
    for name, practice in practices.items():
        if can_view(user, practice):
            assert topics.get(f"topic-{name}") == 1
        else:
            assert f"topic-{name}" not in topics
    visible_practices = [p for p in practices.values() if can_view(user, p)]
    assert topics.get("home-visits", 0) == len(visible_practices), who


def test_suggestions_never_offer_a_title_the_user_may_not_see(world):
    practices, events, people = world
    for who, user in people.items():
        titles = {s["title"] for s in selectors.suggest(WORD[:5], user)}
        hidden = {p.title for p in practices.values() if not can_view(user, p)}
        hidden |= {e.title for e in events if not can_view(user, e)}
        assert titles, who
        assert not titles & hidden, who


def test_related_practice_leaves_out_what_the_user_may_not_see(world):
    practices, _events, people = world
    user = people["other_force_officer"]
    related = selectors.related(f"practice:{practices['practitioners'].pk}", user)
    titles = {item["title"] for item in related}
    assert practices["public"].title in titles or practices["registered"].title in titles
    assert practices["kent_only"].title not in titles
    assert practices["probation_only"].title not in titles
    # The same for someone signed out: only public practice, from any practice.
    anonymous = selectors.related(f"practice:{practices['kent_only'].pk}", AnonymousUser())
    assert [item["title"] for item in anonymous] == [practices["public"].title]


def test_spelling_suggestions_come_only_from_visible_titles(world):
    _practices, _events, people = world
    results = selectors.search(SearchQuery(text="restrictd briefing"), people["anonymous"])
    # The only title with "restricted briefing" is Kent's: nothing may hint at it.
    assert not results.total
    assert results.suggestion is None or "restricted" not in results.suggestion.lower()
    # Kent's officers may see it, and reach it from the same misspelling (the engine's fuzzy
    # match finds it; the database offers the spelling): the checks above are not empty.
    kent = selectors.search(SearchQuery(text="restrictd briefing"), people["kent_officer"])
    assert kent.total or "restricted" in (kent.suggestion or "").lower()


def test_the_json_api_answers_for_the_signed_in_user(world, client):
    practices, _events, people = world
    client.force_login(people["probation_officer"])
    body = client.get("/api/search/", {"q": WORD, "type": "practice"}).json()
    titles = {r["title"] for r in body["results"]}
    assert practices["probation_only"].title in titles
    assert practices["kent_only"].title not in titles
    assert "Secret detail kent_only" not in str(body)
    type_counts = {f["value"]: f["count"] for f in body["facets"]["type"]}
    assert type_counts["practice"] == 4
    assert "session" not in type_counts or type_counts["session"] == 1
    client.logout()
    body = client.get("/api/search/", {"q": WORD}).json()
    assert {r["title"] for r in body["results"]} == {
        practices["public"].title,
        f"{WORD.title()} public conference",
        f"{WORD.title()} opening session",
    }
