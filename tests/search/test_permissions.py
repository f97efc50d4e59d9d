"""Nothing a user may not see reaches them through search: not in results, facet counts,
suggestions, related items or the JSON API; on the engine and on the database alike.

What each user may see is decided by ``kx_site.audience.reader_grant``, the one rule; the
single-item answer (``can_view``), querysets (``visible_to``), the database search and the
engine's filter are translations of it, and the first test checks that all four agree."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from accounts.models import OrganisationKind
from kx_site.audience import Audience, access_refusal, can_view, visible_to
from practice_library.models import PracticePage
from search import database, selectors
from search.index import alias_name
from search.models import SearchEntry
from search.permissions import permission_filter
from search.queries import SearchQuery
from tests.factories import PractitionerFactory, UserFactory, seeded_organisation, staff_member
from tests.practice_library.factories import PracticePageFactory

from .content import WORD, audience_events, audience_practices, users

pytestmark = pytest.mark.django_db


POLICE = OrganisationKind.POLICE_FORCE
PROBATION = OrganisationKind.PROBATION_REGION
# Every kind of item: (audience, restricted kinds, slugs of the restricted organisations).
ITEMS = {
    "public": (Audience.PUBLIC, [], []),
    "registered": (Audience.REGISTERED, [], []),
    "practitioners": (Audience.PRACTITIONERS, [], []),
    "police": (Audience.RESTRICTED, [POLICE], []),
    "police_and_probation": (Audience.RESTRICTED, [POLICE, PROBATION], []),
    "kent": (Audience.RESTRICTED, [], ["kent-police"]),
    "kent_and_london": (Audience.RESTRICTED, [], ["kent-police", "probation-service-london"]),
    "probation_or_kent": (Audience.RESTRICTED, [PROBATION], ["kent-police"]),
    "national_or_essex": (
        Audience.RESTRICTED,
        [OrganisationKind.NATIONAL_BODY],
        ["essex-police"],
    ),
    "nobody_chosen": (Audience.RESTRICTED, [], []),
}


OPEN = {"public", "registered", "practitioners"}
EXPECTED = {
    "anonymous": {"public"},
    "unverified": {"public"},
    "unconfirmed_practitioner": {"public"},
    "superuser_without_second_factor": {"public", "registered"},
    "registered": {"public", "registered"},
    "kent_officer": OPEN
    | {"police", "police_and_probation", "kent", "kent_and_london", "probation_or_kent"},
    "other_force_officer": OPEN | {"police", "police_and_probation"},
    "lapsed_practitioner": OPEN | {"police", "police_and_probation", "national_or_essex"},
    "probation_officer": OPEN | {"police_and_probation", "kent_and_london", "probation_or_kent"},
}


def every_kind_of_user():
    """``users()`` and the edge cases: a practitioner whose address is not confirmed, a lapsed
    practitioner, a superuser without a second factor (whose powers do not apply)."""
    lapsed = timezone.now() - timedelta(days=3650)
    return {
        **users(),
        "unconfirmed_practitioner": PractitionerFactory(
            email="unconfirmed@kent.police.uk", email_verified=False
        ),
        "lapsed_practitioner": PractitionerFactory(
            email="lapsed@essex.police.uk",
            organisation=seeded_organisation("essex-police"),
            verified_at=lapsed,
        ),
        "superuser_without_second_factor": staff_member("superuser", second_factor=False),
        "registered_twin": UserFactory(),
    }


def test_every_translation_of_the_rule_agrees_for_every_user_and_item(backend):
    """For every kind of user and every kind of item: the single-item answer, querysets of
    the pages and of the search entries, the database search and the engine's filter (when an
    engine is configured) keep the same items."""
    practices = {}
    for name, (audience, kinds, slugs) in ITEMS.items():
        practice = PracticePageFactory(
            title=f"{WORD.title()} {name}", audience=audience, restricted_to_kinds=kinds
        )
        if slugs:
            practice.restricted_to_organisations.set([seeded_organisation(slug) for slug in slugs])
            practice.save()
        practices[name] = practice
    backend.index()
    key_of = {f"practice:{practice.pk}": name for name, practice in practices.items()}
    entries = SearchEntry.objects.filter(key__in=key_of)
    assert entries.count() == len(ITEMS)

    seen = {}
    for who, user in every_kind_of_user().items():
        single = {name for name, practice in practices.items() if can_view(user, practice)}
        assert {n for n, p in practices.items() if access_refusal(user, p) is None} == single
        pages = visible_to(
            PracticePage.objects.filter(pk__in=[p.pk for p in practices.values()]), user
        )
        assert {page.title.split()[-1] for page in pages} == single, who
        assert {key_of[e.key] for e in entries if can_view(user, e)} == single, who
        assert {key_of[e.key] for e in visible_to(entries, user)} == single, who
        found = database.visible_entries(user).filter(key__in=key_of)
        assert {key_of[key] for key in found.values_list("key", flat=True)} == single, who
        if backend.engine:
            body = {
                "size": 100,
                "_source": ["key"],
                "query": {
                    "bool": {
                        "filter": [
                            permission_filter(user).to_dict(),
                            {"terms": {"key": list(key_of)}},
                        ]
                    }
                },
            }
            hits = backend.engine.search(alias_name(), body)["hits"]["hits"]
            assert {key_of[hit["_source"]["key"]] for hit in hits} == single, who
        seen[who] = single

    # And what they agree on is the rule: each kind of user sees what their standing gives.
    for who, names in EXPECTED.items():
        assert seen[who] == names, who
    assert seen["administrator"] == set(ITEMS)


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
