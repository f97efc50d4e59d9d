"""Listings tell readers that more exists for a wider audience, never what or how much.

The events listing, the practice library and the briefings listing each show a signed-out
visitor, or a member who is not a verified practitioner, a notice when some of the listing's
items are hidden from them, with the step that would show them more; the hidden items' titles
and their number never appear.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events.models import EventPage
from kx_site.audience import Audience
from kx_site.more_available import more_available
from tests.briefings.factories import BriefingPageFactory
from tests.events.factories import EventPageFactory
from tests.factories import UserFactory
from tests.practice_library.factories import PracticePageFactory

pytestmark = pytest.mark.django_db

SIGN_IN = "More {} are open to signed-in members and verified practitioners."
VERIFY = "Some {} are only for verified practitioners"

LISTINGS = {
    "events": ("/events/", EventPageFactory),
    "practices": ("/library/", PracticePageFactory),
    "briefings": ("/briefings/", BriefingPageFactory),
}


def make_listing(factory, *, hidden):
    """One public item, and ``hidden`` practitioner-only ones with a title to look for."""
    factory(title="Open to all", audience=Audience.PUBLIC)
    for n in range(hidden):
        factory(title=f"Secret osprey {n}", audience=Audience.PRACTITIONERS)


@pytest.mark.parametrize("noun", LISTINGS)
def test_a_signed_out_visitor_is_told_more_exists_without_titles_or_a_count(client, noun):
    url, factory = LISTINGS[noun]
    make_listing(factory, hidden=3)

    content = client.get(url).content.decode()

    assert SIGN_IN.format(noun) in content
    assert 'href="/accounts/login/?next=' in content
    assert "Secret osprey" not in content
    # The notice says nothing of how many: the only number shown is the reader's own count.
    notice = content.split('id="more-available"')[1].split("</div>")[0]
    assert not any(character.isdigit() for character in notice)


@pytest.mark.parametrize("noun", LISTINGS)
def test_a_member_who_is_not_verified_is_told_to_ask_to_be_verified(client, user, noun):
    url, factory = LISTINGS[noun]
    make_listing(factory, hidden=1)
    client.force_login(user)

    content = client.get(url).content.decode()

    assert VERIFY.format(noun) in content
    assert 'href="/accounts/verification/request/"' in content
    assert "Secret osprey" not in content


@pytest.mark.parametrize("noun", LISTINGS)
def test_no_notice_when_nothing_is_hidden(client, user, practitioner, noun):
    url, factory = LISTINGS[noun]
    make_listing(factory, hidden=0)
    assert 'id="more-available"' not in client.get(url).content.decode()

    # A registered-only item is hidden from visitors, not from signed-in members.
    factory(title="For members", audience=Audience.REGISTERED)
    client.force_login(user)
    assert 'id="more-available"' not in client.get(url).content.decode()


@pytest.mark.parametrize("noun", LISTINGS)
def test_a_verified_practitioner_is_not_told_of_other_organisations_items(
    client, practitioner, noun
):
    url, factory = LISTINGS[noun]
    factory(
        title="Probation only",
        audience=Audience.RESTRICTED,
        restricted_to_kinds=["probation_region"],
    )
    client.force_login(practitioner)

    content = client.get(url).content.decode()

    assert 'id="more-available"' not in content
    assert "Probation only" not in content


def test_the_notice_ignores_search_words_so_it_cannot_probe_hidden_items(client):
    PracticePageFactory(title="Open to all", audience=Audience.PUBLIC)
    PracticePageFactory(title="Kingfisher method", audience=Audience.PRACTITIONERS)

    # Whether or not the words match a hidden practice, the page says the same.
    for words in ("kingfisher", "nothing-matches-this"):
        content = client.get("/library/", {"q": words}).content.decode()
        assert SIGN_IN.format("practices") in content, words
        assert "Kingfisher" not in content.split('id="more-available"')[1], words


def test_events_listing_asks_about_the_split_it_shows(client):
    EventPageFactory(title="Public upcoming", audience=Audience.PUBLIC)
    past_start = timezone.now() - timedelta(days=30)
    EventPageFactory(
        title="Hidden past",
        start=past_start,
        registration_opens_at=past_start - timedelta(days=20),
        registration_closes_at=past_start - timedelta(days=1),
    )

    assert 'id="more-available"' not in client.get("/events/").content.decode()
    assert SIGN_IN.format("events") in client.get("/events/?when=past").content.decode()


def test_one_query_at_most_and_none_for_practitioners(practitioner):
    from django.contrib.auth.models import AnonymousUser

    EventPageFactory(title="Hidden", audience=Audience.PRACTITIONERS)
    member = UserFactory()
    # The listing's own audience filter has already asked whether their email is verified.
    member.kx_verified_email = practitioner.kx_verified_email = True
    events = EventPage.objects.live()

    for reader, expected, queries in (
        (AnonymousUser(), "sign_in", 1),
        (member, "verify_practitioner", 1),
        (practitioner, None, 0),
    ):
        with CaptureQueriesContext(connection) as context:
            assert more_available(events, reader) == expected
        assert len(context.captured_queries) == queries, reader
