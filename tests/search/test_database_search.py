"""The database fallback on any database: the permission filter's shape and a fixed number of
queries whatever the data (on SQLite and PostgreSQL alike; CI runs both)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import OrganisationKind
from kx_site.audience import Audience, can_view
from search import database
from search.models import SearchEntry
from search.queries import SearchQuery
from tests.factories import PractitionerFactory, seeded_organisation

pytestmark = pytest.mark.django_db


def make_entry(n, **fields):
    fields.setdefault("audience", Audience.PUBLIC)
    return SearchEntry.objects.create(
        key=f"practice:{n}",
        doc_type="practice",
        title=f"Kingfisher practice {n}",
        summary="Home visits, planned jointly.",
        body="Visits are planned jointly and notes are shared the same day.",
        topic_names="Home visits",
        topics=",home-visits,",
        does_it_work="worked",
        year=2020 + n % 3,
        url=f"/library/{n}/",
        **fields,
    )


def test_the_permission_filter_is_a_condition_on_the_entries_alone():
    """No join to the restricted organisations (which needed DISTINCT and made the planner run
    a nested loop over a subquery for every match), yet the same entries as ``can_view``."""
    kent = seeded_organisation("kent-police")
    bedfordshire = seeded_organisation("bedfordshire-police")
    kent_only = make_entry(1, audience=Audience.RESTRICTED)
    kent_only.restricted_to_organisations.set([kent])
    kent_only.save()
    two_forces = make_entry(2, audience=Audience.RESTRICTED)
    two_forces.restricted_to_organisations.set([kent, bedfordshire])
    two_forces.save()
    restricted = Audience.RESTRICTED
    make_entry(3, audience=restricted, restricted_to_kinds=[OrganisationKind.POLICE_FORCE])
    make_entry(4, audience=restricted, restricted_to_kinds=[OrganisationKind.PROBATION_REGION])
    make_entry(5, audience=Audience.PRACTITIONERS)
    make_entry(6, removed=True)
    officer = PractitionerFactory()
    other = PractitionerFactory(email="officer@bedfordshire.police.uk", organisation=bedfordshire)

    for user in (officer, other):
        visible = database.visible_entries(user)
        sql = str(visible.query).upper()
        assert " JOIN " not in sql
        assert "DISTINCT" not in sql
        expected = {e.key for e in SearchEntry.objects.filter(removed=False) if can_view(user, e)}
        keys = list(visible.values_list("key", flat=True))
        assert len(keys) == len(set(keys))
        assert set(keys) == expected
    # Restricted to Kent alone: not for another force; to Kent and Bedfordshire: for both.
    other_sees = set(database.visible_entries(other).values_list("key", flat=True))
    assert "practice:1" not in other_sees
    assert "practice:2" in other_sees


@pytest.mark.parametrize(
    "query",
    [
        SearchQuery(text="kingfisher visits"),
        SearchQuery(
            text='"planned jointly"', filters={"year": (2021,), "topic": ("home-visits",)}
        ),
        SearchQuery(filters={"does_it_work": ("worked",)}, sort="date"),
    ],
)
def test_a_search_asks_a_fixed_number_of_queries_whatever_the_data(query):
    from practice_library.models import Topic

    Topic.objects.get_or_create(slug="home-visits", defaults={"name": "Home visits"})
    officer = PractitionerFactory()
    make_entry(0)
    database.database_search(query, officer)  # the user's standing is read once, then kept
    counts, totals = [], []
    for more in (2, 40):
        for n in range(len(counts) * 100 + 1, len(counts) * 100 + more):
            make_entry(n)
        with CaptureQueriesContext(connection) as queries:
            totals.append(database.database_search(query, officer).total)
        counts.append(len(queries))
    assert totals[1] > totals[0]
    assert counts[0] == counts[1]
