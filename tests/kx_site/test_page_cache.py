"""Public pages kept for signed-out readers: served again without the view, retired by any write
to content, and never a page meant for one reader or for signed-in readers only."""

import pytest
from django.core.cache import caches
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts import audit
from events.services import registration_create
from kx_site.audience import Audience
from kx_site.page_cache import GENERATION_KEY
from tests.events.factories import EventPageFactory
from tests.factories import PractitionerFactory

from .audience_cases import make_page

# Transactions really commit here: pages are retired when a write commits, as in production.
pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("production_caches"),
]


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.KX_PAGE_CACHE_SECONDS = 300


def cache_state(response):
    return response.get("X-KX-Page-Cache")


def publish(page, **changes):
    """Edit and publish as an editor does."""
    for name, value in changes.items():
        setattr(page, name, value)
    page.save_revision().publish()


def test_a_public_page_is_kept_and_served_again_with_one_query(client):
    page = make_page("public")

    first = client.get(page.url)
    with CaptureQueriesContext(connection) as queries:
        second = client.get(page.url)

    assert first.status_code == second.status_code == 200
    assert cache_state(first) == "miss"
    assert cache_state(second) == "hit"
    assert second.content == first.content
    assert page.title in second.content.decode()
    # Only the shared generation is read: no session, user or page query.
    assert len(queries) == 1
    assert "kx_cache" in queries.captured_queries[0]["sql"]


def test_a_kept_page_keeps_the_csp_nonce_its_scripts_carry(client):
    page = make_page("public")
    client.get(page.url)

    kept = client.get(page.url)

    assert cache_state(kept) == "hit"
    nonce = kept["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in kept.content.decode()


def test_publishing_a_change_retires_the_kept_page(client):
    page = make_page("public", title="First title")
    client.get(page.url)

    publish(page, title="Second title")
    response = client.get(page.url)

    assert cache_state(response) == "miss"
    assert "Second title" in response.content.decode()
    assert "First title" not in response.content.decode()


def test_a_page_made_restricted_is_never_served_from_the_cache(client):
    page = make_page("public")
    assert cache_state(client.get(page.url)) == "miss"

    publish(page, audience=Audience.PRACTITIONERS)
    response = client.get(page.url)

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_unpublishing_retires_the_kept_page(client):
    page = make_page("public")
    client.get(page.url)

    page.unpublish()

    assert client.get(page.url).status_code == 404


def test_a_place_taken_shows_on_the_event_page_within_its_short_lifetime(client, settings):
    event = EventPageFactory(capacity=2, audience=Audience.PUBLIC)
    delegate = PractitionerFactory()
    first = client.get(event.url)
    assert cache_state(first) == "miss"
    assert f"max-age={settings.KX_EVENT_PLACES_MAX_AGE}" in first["Cache-Control"]
    assert "2 of 2 places left" in first.content.decode()

    # A registration does not retire every kept page (a burst would retire them all the time)...
    registration_create(event=event, user=delegate)
    assert cache_state(client.get(event.url)) == "hit"

    # ...the event page is kept only for its own max-age: at 0 it is not kept at all.
    settings.KX_EVENT_PLACES_MAX_AGE = 0
    caches["pages"].clear()
    responses = [client.get(event.url) for _ in range(2)]
    assert [cache_state(r) for r in responses] == [None, None]
    assert "1 of 2 places left" in responses[1].content.decode()


def test_a_signed_in_readers_event_page_gets_no_shared_lifetime(client):
    event = EventPageFactory(audience=Audience.PUBLIC)
    client.force_login(PractitionerFactory())

    response = client.get(event.url)

    assert "max-age" not in response.get("Cache-Control", "")


def test_a_change_in_another_process_retires_the_pages_kept_here(client, production_caches):
    page = make_page("public")
    client.get(page.url)

    # Another process's write replaces the shared generation.
    production_caches["default"].set(GENERATION_KEY, "another-process", timeout=None)

    assert cache_state(client.get(page.url)) == "miss"


def test_writes_no_page_shows_leave_the_kept_pages(client):
    page = make_page("public")
    client.get(page.url)

    with transaction.atomic():
        audit.record(
            PractitionerFactory(), audit.VERIFICATION_CONFIRMED, detail="nothing a page shows"
        )

    assert cache_state(client.get(page.url)) == "hit"


def test_a_rolled_back_write_does_not_stop_later_writes_retiring_pages(client):
    page = make_page("public", title="Before")
    client.get(page.url)

    with pytest.raises(RuntimeError), transaction.atomic():
        page.title = "Rolled back"
        page.save()
        raise RuntimeError
    publish(page, title="After")

    response = client.get(page.url)
    assert "After" in response.content.decode()


def test_signed_in_readers_are_neither_served_nor_kept(client):
    page = make_page("public")
    practitioner = PractitionerFactory()
    client.force_login(practitioner)

    signed_in = [client.get(page.url) for _ in range(2)]
    client.logout()
    anonymous = client.get(page.url)

    assert [cache_state(r) for r in signed_in] == [None, None]
    assert "Sign out" in signed_in[1].content.decode()
    assert cache_state(anonymous) == "miss"
    assert "Sign out" not in anonymous.content.decode()


@pytest.mark.parametrize("level", ["registered", "practitioners", "kent_police_only"])
def test_restricted_pages_are_never_kept(client, level):
    page = make_page(level)
    client.force_login(PractitionerFactory())
    client.get(page.url)
    client.logout()

    responses = [client.get(page.url) for _ in range(2)]

    assert [r.status_code for r in responses] == [302, 302]
    assert [cache_state(r) for r in responses] == [None, None]


@pytest.mark.parametrize("path", ["/accounts/login/", "/accounts/signup/"])
def test_pages_with_a_form_are_not_kept(client, path):
    responses = [client.get(path) for _ in range(2)]

    assert [r.status_code for r in responses] == [200, 200]
    assert [cache_state(r) for r in responses] == [None, None]
    assert "csrfmiddlewaretoken" in responses[1].content.decode()


def test_pages_marked_private_are_not_kept(client):
    responses = [client.get("/search/?q=risk") for _ in range(2)]

    assert [cache_state(r) for r in responses] == [None, None]


def test_a_reader_with_a_session_is_not_served_a_kept_page(client, settings):
    page = make_page("public")
    client.get(page.url)
    client.cookies[settings.SESSION_COOKIE_NAME] = "not-a-session"

    assert cache_state(client.get(page.url)) != "hit"


def test_no_page_is_kept_when_the_cache_is_off(client, settings):
    settings.KX_PAGE_CACHE_SECONDS = 0
    page = make_page("public")

    responses = [client.get(page.url) for _ in range(2)]

    assert [cache_state(r) for r in responses] == [None, None]
