"""The home page's listings (upcoming events, latest briefings, recent practices) are kept until
content changes, for readers who may see the same items (kx_site.page_cache), and never shown to
a reader who may see less.

Transactions really commit here: a write retires what was kept when it commits, as in production.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import OrganisationKind
from kx_site.audience import Audience
from tests.briefings.factories import BriefingPageFactory
from tests.events.factories import EventPageFactory
from tests.factories import PractitionerFactory, ProbationPractitionerFactory
from tests.practice_library.factories import PracticePageFactory

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("production_caches"),
]
POLICE_ONLY = {
    "audience": Audience.RESTRICTED,
    "restricted_to_kinds": [OrganisationKind.POLICE_FORCE],
}
FACTORIES = {
    "event": EventPageFactory,
    "briefing": BriefingPageFactory,
    "practice": PracticePageFactory,
}


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.KX_PAGE_CACHE_SECONDS = 300


def home(client):
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/")
    assert response.status_code == 200
    return response.content.decode(), len(captured)


def test_the_listings_are_kept_and_retired_when_content_changes(client):
    for kind, make in FACTORIES.items():
        make(title=f"First {kind}")  # and the listing it sits in
    client.force_login(PractitionerFactory())
    home(client)  # also fills the caches that outlive content changes

    for kind, make in FACTORIES.items():
        make(title=f"New {kind}")
    counted, counted_queries = home(client)
    kept, kept_queries = home(client)

    for kind in FACTORIES:
        assert f"New {kind}" in counted
        assert f"New {kind}" in kept
    assert counted_queries - kept_queries == len(FACTORIES)


def test_a_reader_who_may_see_less_never_gets_another_readers_listings(client):
    for kind, make in FACTORIES.items():
        make(title=f"Police-only {kind}", **POLICE_ONLY)
    seen = {}

    for reader in ("police", "probation", "police"):
        client.force_login(
            PractitionerFactory() if reader == "police" else ProbationPractitionerFactory()
        )
        content, _ = home(client)
        seen.setdefault(reader, []).append(
            {kind for kind in FACTORIES if f"Police-only {kind}" in content}
        )

    assert seen["police"] == [set(FACTORIES), set(FACTORIES)]
    assert seen["probation"] == [set()]
