"""The database fallback on PostgreSQL: full-text search (English stemming, phrases, ranking by
field), trigram "did you mean", and permissions in results and facets.

Run when the tests run on PostgreSQL (CI runs the suite on both databases):
``DATABASE_URL=postgres://kx:kx@127.0.0.1:5432/kx_test .venv/bin/pytest tests/search``.
"""

from dataclasses import replace
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import F
from django.utils import timezone

from accounts.models import OrganisationKind
from kx_site.audience import Audience
from search import database, selectors
from search.models import SearchEntry
from search.queries import LISTING_ORDERS, SearchQuery, listing_order
from tests.factories import PractitionerFactory, UserFactory, seeded_organisation, staff_member

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="PostgreSQL full-text search only"
    ),
]


@pytest.fixture(autouse=True)
def database_backend(settings):
    settings.SEARCH_URL = ""


def make_entry(key, title, *, summary="", body="", topics=(), **fields):
    fields.setdefault("audience", Audience.PUBLIC)
    return SearchEntry.objects.create(
        key=f"practice:{key}",
        doc_type=fields.pop("doc_type", "practice"),
        title=title,
        summary=summary,
        body=body,
        topic_names=" ".join(name for _slug, name in topics),
        topics="".join(f",{slug}" for slug, _name in topics) + ("," if topics else ""),
        url=f"/library/{key}/",
        **fields,
    )


def titles(text, user=None, **query):
    results = selectors.search(SearchQuery(text=text, **query), user or UserFactory())
    assert results.source == "database"
    return [hit.title for hit in results.hits]


def test_the_vector_is_written_by_the_database_on_every_write():
    entry = make_entry("1", "Joint home visits", body="Officers visited together.")
    assert SearchEntry.objects.filter(pk=entry.pk, search_vector="visit").exists()
    SearchEntry.objects.filter(pk=entry.pk).update(title="Polygraph examinations")
    assert SearchEntry.objects.filter(pk=entry.pk, search_vector="examination").exists()
    assert not SearchEntry.objects.filter(pk=entry.pk, search_vector="home").exists()


def test_words_match_in_any_form_through_the_english_stemmer():
    make_entry("visits", "Unannounced visiting schedule", summary="Officers visited homes.")
    make_entry("policy", "Disclosure policies", body="How each application is assessed.")
    make_entry("other", "Media protocol", body="Statements for the press.")
    assert titles("visits") == ["Unannounced visiting schedule"]
    assert titles("visit schedules") == ["Unannounced visiting schedule"]
    # "policy" and "policies" share a stem; a suffix list that keeps "y" from "ies" aside,
    # "assessment" and "assessed" are what only a real stemmer brings together.
    assert titles("policy") == ["Disclosure policies"]
    assert titles("assessing") == ["Disclosure policies"]
    # Every word must match, as on the engine's "most words" for short queries.
    assert titles("visits press") == []


def test_a_quoted_phrase_matches_the_words_in_that_order_only():
    make_entry("together", "Joint visits with police", body="Planned the same day.")
    make_entry("apart", "Visits and joint working", body="Police visits, joint notes.")
    assert sorted(titles("joint visits")) == [
        "Joint visits with police",
        "Visits and joint working",
    ]
    assert titles('"joint visits"') == ["Joint visits with police"]
    assert titles('police "joint visits"') == ["Joint visits with police"]


def test_a_match_in_the_title_ranks_above_matches_in_the_body():
    make_entry(
        "body",
        "Accommodation checks",
        body="Polygraph results; the polygraph examiner; polygraph disclosures.",
    )
    make_entry("summary", "Licence conditions", summary="Includes a polygraph condition.")
    make_entry("title", "Polygraph examinations", body="Examiners and their reports.")
    assert titles("polygraph") == [
        "Polygraph examinations",
        "Licence conditions",
        "Accommodation checks",
    ]


def test_a_misspelt_query_finds_nothing_but_suggests_the_nearest_title_words():
    make_entry("1", "Polygraph examinations as a licence condition")
    make_entry("2", "Travel abroad checks at ports")
    results = selectors.search(SearchQuery(text="polygrph examinations"), UserFactory())
    assert results.total == 0
    assert results.suggestion == "polygraph examinations"
    assert titles(results.suggestion) == ["Polygraph examinations as a licence condition"]


def test_did_you_mean_never_comes_from_a_title_the_user_may_not_see():
    kent_only = make_entry("kent", "Restricted briefing day", audience=Audience.RESTRICTED)
    kent_only.restricted_to_organisations.set([seeded_organisation("kent-police")])
    kent_only.save()
    assert database.database_spelling("restrictd briefing", PractitionerFactory()) == (
        "restricted briefing"
    )
    assert database.database_spelling("restrictd briefing", UserFactory()) is None


def test_restricted_entries_are_never_counted_in_the_facets():
    kent = seeded_organisation("kent-police")
    shared = ("home-visits", "Home visits")
    make_entry("public", "Kingfisher public", topics=[shared], year=2021)
    make_entry(
        "practitioners",
        "Kingfisher practitioners",
        audience=Audience.PRACTITIONERS,
        topics=[shared],
        year=2022,
    )
    kent_only = make_entry(
        "kent",
        "Kingfisher Kent",
        audience=Audience.RESTRICTED,
        topics=[shared, ("kent-topic", "Kent topic")],
        doc_type="briefing",
        year=2023,
        organisation_kind="police_force",
    )
    kent_only.restricted_to_organisations.set([kent])
    kent_only.save()
    make_entry(
        "probation",
        "Kingfisher probation",
        audience=Audience.RESTRICTED,
        restricted_to_kinds=[OrganisationKind.PROBATION_REGION],
        topics=[shared, ("probation-topic", "Probation topic")],
        doc_type="event",
        year=2024,
        organisation_kind="probation_region",
    )
    from practice_library.models import Topic

    for slug, name in [shared, ("kent-topic", "Kent"), ("probation-topic", "Probation")]:
        Topic.objects.get_or_create(slug=slug, defaults={"name": name})

    expectations = {
        # user: (titles seen, type counts)
        "anonymous": (UserFactory(email_verified=False), {"practice": 1}),
        "kent officer": (PractitionerFactory(), {"practice": 2, "briefing": 1}),
        "administrator": (
            staff_member("superuser"),
            {"practice": 2, "briefing": 1, "event": 1},
        ),
    }
    for who, (user, types) in expectations.items():
        results = selectors.search(SearchQuery(text="kingfisher", per_page=50), user)
        seen = sum(types.values())
        assert results.total == len(results.hits) == seen, who
        assert dict(results.facets["type"]) == types, who
        topics = dict(results.facets["topic"])
        assert topics["home-visits"] == seen, who
        assert ("kent-topic" in topics) == ("briefing" in types), who
        assert ("probation-topic" in topics) == ("event" in types), who
        assert sum(n for _year, n in results.facets["year"]) == seen, who
        # Filtering by a facet the user cannot see anything of finds nothing either.
        hidden = SearchQuery(text="kingfisher", filters={"topic": ("probation-topic",)})
        assert selectors.search(hidden, user).total == ("event" in types), who


def test_the_count_reads_the_full_text_index_and_never_joins_for_permissions():
    for n in range(30):
        make_entry(str(n), f"Kingfisher practice {n}", body="Joint visits.")
    officer = PractitionerFactory()
    matching = database._Matching(SearchQuery(text="kingfisher visits"), officer)
    with connection.cursor() as cursor:
        # A table this small is read whole; the question is whether the index can serve.
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = matching.results.explain()
    assert "search_entry_vector" in plan
    assert "Nested Loop" not in plan
    assert "Join" not in plan


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"topic": ("mappa",)},
        {"topic": ("mappa", "risk"), "year": (2021, 2023), "does_it_work": ("worked",)},
        {"type": ("briefing",), "organisation_kind": ("police_force",)},
    ],
)
def test_counting_in_one_pass_gives_the_counts_of_one_query_per_facet(filters):
    from practice_library.models import Topic

    for slug in ("mappa", "risk", "training"):
        Topic.objects.get_or_create(slug=slug, defaults={"name": slug.title()})
    topic_sets = [("mappa",), ("risk", "mappa"), ("training",), ()]
    for n in range(60):
        make_entry(
            str(n),
            f"Kingfisher {n}",
            topics=[(slug, slug.title()) for slug in topic_sets[n % 4]],
            doc_type=["practice", "briefing", "event"][n % 3],
            year=2020 + n % 5,
            does_it_work=["worked", "promising", ""][n % 3],
            organisation_kind=["police_force", "probation_region"][n % 2],
            audience=[Audience.PUBLIC, Audience.PRACTITIONERS][n % 2],
        )
    query = SearchQuery(text="kingfisher", filters=filters)
    for user in (UserFactory(), PractitionerFactory()):
        matching = database._Matching(query, user)
        total, facets = database.counted_in_one_pass(matching)
        assert total == matching.results.count() > 0
        assert facets == matching.facets()


@pytest.mark.parametrize(
    "query",
    [
        SearchQuery(text="kingfisher visits", per_page=7, page=2),
        SearchQuery(text="kingfisher", filters={"topic": ("mappa",)}, per_page=5),
        SearchQuery(text='"joint visits"', filters={"year": (2021, 2023)}, per_page=50),
        SearchQuery(text="kingfisher", filters={"does_it_work": ("worked",)}, sort="date"),
        SearchQuery(filters={"type": ("briefing",)}, per_page=4, page=3),
    ],
)
def test_the_one_pass_page_is_the_ranked_query_s_page(query):
    """The page read with the counts (``read_in_one_pass``) is the same entries, in the same
    order, as the ranked queryset would give: rank, then newest, then primary key."""
    from practice_library.models import Topic

    Topic.objects.get_or_create(slug="mappa", defaults={"name": "MAPPA"})
    for n in range(40):
        make_entry(
            str(n),
            # Some titles match twice, some summaries once, so the ranks differ and tie.
            f"Kingfisher {'kingfisher ' * (n % 3)}{n}",
            summary="Joint visits planned." if n % 4 else "Visits alone.",
            body="Kingfisher notes. " * (n % 5),
            topics=[("mappa", "MAPPA")] if n % 2 else [],
            doc_type=["practice", "briefing"][n % 2],
            does_it_work=["worked", "promising"][n % 2],
            year=2020 + n % 4,
            # Repeated dates and a few without one: ties broken by primary key.
            date=None if n % 9 == 0 else timezone.now() - timedelta(days=n % 6),
        )
    officer = PractitionerFactory()
    matching = database._Matching(query, officer)
    page = slice(query.offset, query.offset + query.per_page)
    expected = list(matching.ordered.values_list("key", flat=True)[page])
    keys, total, facets = database.read_in_one_pass(
        matching, page_column="key", limit=query.per_page, offset=query.offset
    )
    assert expected  # the page is not empty, so the comparison says something
    assert keys == expected
    assert total == matching.results.count()
    assert facets == matching.facets()
    results = database.database_search(query, officer)
    assert [hit.key for hit in results.hits] == expected
    # A listing's page in each of its orders (``database_keys``, the library's question) is
    # read in the same one pass: the same page as the ordered queryset's, total and facets.
    SearchEntry.objects.update(object_id=F("pk"), published_at=F("date"))
    for sort in LISTING_ORDERS:
        listing = replace(query, sort=sort)
        ordered = database._Matching(listing, officer, order=listing_order(listing)).ordered
        keys, listing_total, listing_facets = database.database_keys(listing, officer)
        assert keys == list(ordered.values_list("key", flat=True)[page]), sort
        assert listing_total == total and listing_facets == facets


def test_only_the_summary_and_body_may_leave_the_row():
    """A search reads each match's short columns (audience, facets, title): out of line, each
    would cost a TOAST lookup per match (migration 0004)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname, attstorage FROM pg_attribute WHERE attrelid = "
            "'search_searchentry'::regclass AND attnum > 0 AND NOT attisdropped"
        )
        storage = dict(cursor.fetchall())
    assert storage.pop("summary") == storage.pop("body") == "e"  # external: out of line
    # Main (in the row unless it cannot fit a page) or plain (fixed width, always in the row).
    assert set(storage.values()) <= {"m", "p"}, storage
