"""The @mention autocomplete's JSON: only for members who may post, only members they may
mention, at most eight, never an email address, bounded in queries and in rate."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from forums import services
from forums.selectors import MENTION_SUGGESTIONS
from tests.factories import PractitionerFactory, ProbationPractitionerFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("forums:mention_suggestions")


def suggest(client, query):
    return client.get(URL, {"q": query})


def handles(response):
    return [member["handle"] for member in response.json()["members"]]


@pytest.fixture
def jordans(db):
    """Members called Jordan: two practitioners with handles, one who has never taken part,
    one whose account is not verified."""
    kent = PractitionerFactory(first_name="Jordan", last_name="Kent")
    london = ProbationPractitionerFactory(first_name="Jordan", last_name="London")
    services.member_for(kent)
    services.member_for(london)
    PractitionerFactory(first_name="Jordan", last_name="Never-posted")
    services.member_for(UserFactory(first_name="Jordan", last_name="Unverified"))
    return kent, london


def test_signed_out_visitors_are_sent_to_sign_in(client, jordans):
    response = suggest(client, "jo")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert b"jordan" not in response.content.lower()


def test_unverified_members_are_refused(client, unverified, jordans):
    client.force_login(unverified)

    response = suggest(client, "jo")

    assert response.status_code == 403
    assert b"jordan" not in response.content.lower()


def test_suspended_members_are_refused(client, suspended, jordans):
    client.force_login(suspended)

    response = suggest(client, "jo")

    assert response.status_code == 403
    assert response.json() == {"members": []}


def test_members_get_verified_members_with_handles_and_no_email(client, police, jordans):
    kent, london = jordans
    client.force_login(police)

    response = suggest(client, "@Jo")

    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    assert response.json() == {
        "members": [
            {"handle": "jordan-kent", "name": "Jordan Kent", "organisation": "Kent Police"},
            {
                "handle": "jordan-london",
                "name": "Jordan London",
                "organisation": str(london.organisation),
            },
        ]
    }
    # Handles carry no "@": any in the answer would be part of an email address.
    assert "@" not in response.content.decode()
    assert kent.email not in response.content.decode()


@pytest.mark.parametrize("query", ["lon", "LONDON", "jordan-l"])
def test_members_are_found_by_last_name_or_handle(client, police, jordans, query):
    client.force_login(police)

    assert handles(suggest(client, query)) == ["jordan-london"]


def test_the_writer_is_not_offered_to_themselves(client, police):
    services.member_for(police)
    client.force_login(police)

    assert handles(suggest(client, "alex")) == []


@pytest.mark.parametrize("query", ["", "j", "@j", "  "])
def test_fewer_than_two_letters_find_nobody(client, police, jordans, query):
    client.force_login(police)

    assert handles(suggest(client, query)) == []


def test_at_most_eight_members_are_returned(client, police):
    for member in PractitionerFactory.create_batch(MENTION_SUGGESTIONS + 5, first_name="Robin"):
        services.member_for(member)
    client.force_login(police)

    assert len(handles(suggest(client, "rob"))) == MENTION_SUGGESTIONS == 8


def queries_for(client, query):
    with CaptureQueriesContext(connection) as context:
        response = suggest(client, query)
    assert response.status_code == 200
    return len(context.captured_queries), len(handles(response))


def test_the_lookup_runs_a_fixed_number_of_queries(client, police):
    for member in PractitionerFactory.create_batch(20, first_name="Robin"):
        services.member_for(member)
    services.member_for(PractitionerFactory(first_name="Quinn"))
    client.force_login(police)
    suggest(client, "zz")  # The session and the member's standing are loaded once per request.

    one = queries_for(client, "quinn")
    eight = queries_for(client, "robin")

    assert (one[1], eight[1]) == (1, 8)
    assert one[0] == eight[0]
    # Five when written: session, user, the staff check, the suspension check, the lookup.
    assert eight[0] <= 6


def test_lookups_are_rate_limited(client, police, jordans, settings):
    cache.clear()
    settings.KX_FORUM_RATE_LIMITS = {**settings.KX_FORUM_RATE_LIMITS, "lookup": (3, 60)}
    client.force_login(police)

    statuses = [suggest(client, "jo").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    assert suggest(client, "jo").json()["members"] == []
