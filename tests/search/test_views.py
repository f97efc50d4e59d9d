"""The search page, the JSON API and the suggestions endpoint."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kx_site.audience import Audience
from practice_library.models import DoesItWork, Topic
from tests.practice_library.factories import PracticePageFactory

pytestmark = pytest.mark.django_db


def practices(backend, count, start=0, **fields):
    mappa = Topic.objects.get_or_create(slug="mappa", defaults={"name": "MAPPA"})[0]
    for n in range(start, start + count):
        PracticePageFactory(
            title=f"Lapwing practice {n}",
            audience=Audience.PUBLIC,
            does_it_work=DoesItWork.WORKED if n % 2 else DoesItWork.PROMISING,
            topics=[mappa],
            **fields,
        )
    backend.index()


def test_the_page_shows_results_with_highlights_and_facets(backend, client):
    practices(backend, 3)
    response = client.get("/search/", {"q": "lapwing visits"})
    assert response.status_code == 200
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert "3 results for “lapwing visits”" in html
    # The summary says "visit": stemming finds it, and the snippet marks it.
    assert "probation <mark>visit</mark> together" in html
    assert "Does it work?" in html and "Worked" in html and "MAPPA" in html


def test_choosing_a_facet_keeps_the_other_values_counted(backend, client):
    practices(backend, 5)
    body = client.get("/api/search/", {"q": "lapwing", "does_it_work": "worked"}).json()
    assert body["total"] == 2
    counts = {f["value"]: f["count"] for f in body["facets"]["does_it_work"]}
    assert counts == {"worked": 2, "promising": 3}
    assert {f["value"]: f["count"] for f in body["facets"]["topic"]} == {"mappa": 2}


def test_sorting_by_date_and_pagination(backend, client):
    practices(backend, 23)
    first = client.get("/api/search/", {"q": "lapwing", "sort": "date"}).json()
    second = client.get("/api/search/", {"q": "lapwing", "sort": "date", "page": 2}).json()
    assert first["total"] == 23 and len(first["results"]) == 20 and len(second["results"]) == 3
    html = client.get("/search/", {"q": "lapwing", "page": 2}).content.decode()
    assert "showing 21 to 23" in html and 'aria-current="page">2<' in html


def test_user_text_is_escaped_in_results(backend, client):
    PracticePageFactory(
        title="Sandpiper <script>alert(1)</script>",
        summary="Sandpiper <img src=x onerror=alert(1)> summary",
        audience=Audience.PUBLIC,
    )
    backend.index()
    html = client.get("/search/", {"q": "sandpiper"}).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "<img src=x" not in html


def test_zero_results_offer_spelling_and_removing_a_filter(backend, client):
    practices(backend, 2)
    html = client.get("/search/", {"q": "lapwinj", "type": "session"}).content.decode()
    assert "There are no results" in html
    # Chosen filters are tags that each remove one (issue 12).
    assert "Remove filter </span>Content type: Event session" in html
    html = client.get("/search/", {"q": "lapwinh practise"}).content.decode()
    if "There are no results" in html:
        assert "Did you mean" in html and "lapwing" in html


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page": "abc"}, "page"),
        ({"page": "0"}, "page"),
        ({"type": "nonsense"}, "type"),
        ({"year": "1800"}, "year"),
        ({"topic": "<script>"}, "topic"),
        ({"sort": "random"}, "sort"),
        ({"q": "x" * 201}, "q"),
    ],
)
def test_bad_parameters_get_a_400_json_error_and_a_govuk_error_page(
    database_backend, client, params, field
):
    response = client.get("/api/search/", params)
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "Bad search parameters" and field in body["fields"]
    page = client.get("/search/", params)
    assert page.status_code == 200
    html = page.content.decode()
    assert "govuk-error-summary" in html and "There is a problem" in html


def test_suggestions_endpoint(backend, client):
    practices(backend, 2)
    body = client.get("/search/suggest/", {"q": "lapw"}).json()
    assert {s["title"] for s in body["suggestions"]} == {
        "Lapwing practice 0",
        "Lapwing practice 1",
    }
    assert client.get("/search/suggest/", {"q": "l"}).json() == {"suggestions": []}
    assert client.get("/search/suggest/", {"q": "x" * 300}).status_code == 400


def test_an_engine_that_is_down_falls_back_to_the_database(database_backend, settings, client):
    practices(database_backend, 2)
    settings.SEARCH_URL = "http://127.0.0.1:9"  # nothing listens here
    response = client.get("/search/", {"q": "lapwing"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "simpler mode" in html and "2 results" in html
    body = client.get("/api/search/", {"q": "lapwing"}).json()
    assert body["fallback"] is True and body["total"] == 2
    assert client.get("/search/suggest/", {"q": "lapw"}).status_code == 200


def test_a_slow_engine_times_out_into_the_fallback(database_backend, settings, client):
    """A listener that never answers: the one-second timeout, then the database."""
    import socket

    practices(database_backend, 1)
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    try:
        settings.SEARCH_URL = f"http://127.0.0.1:{silent.getsockname()[1]}"
        settings.SEARCH_TIMEOUT = 0.5
        body = client.get("/api/search/", {"q": "lapwing"}).json()
    finally:
        silent.close()
    assert body["fallback"] is True and body["total"] == 1


def count_queries(client, params):
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/search/", params).status_code == 200
        assert client.get("/search/", params).status_code == 200
    return len(queries)


def test_query_counts_do_not_grow_with_the_data(backend, client, practitioner):
    client.force_login(practitioner)
    practices(backend, 3)
    params = {"q": "lapwing", "does_it_work": "worked", "topic": "mappa"}
    few = count_queries(client, params)
    practices(backend, 12, start=3)
    assert count_queries(client, params) == few


def test_the_related_practice_tag_lists_only_visible_practice(backend, rf):
    from django.contrib.auth.models import AnonymousUser
    from django.template import Context, Template

    mappa = Topic.objects.get_or_create(slug="mappa", defaults={"name": "MAPPA"})[0]
    shown = PracticePageFactory(title="Lapwing MAPPA meetings", audience=Audience.PUBLIC)
    neighbour = PracticePageFactory(title="Lapwing MAPPA minutes", audience=Audience.PUBLIC)
    hidden = PracticePageFactory(title="Lapwing MAPPA secrets", audience=Audience.PRACTITIONERS)
    for practice in (shown, neighbour, hidden):
        practice.topics.set([mappa])
        practice.save()
    backend.index()
    request = rf.get("/")
    request.user = AnonymousUser()
    html = Template("{% load search_tags %}{% related_practice page %}").render(
        Context({"request": request, "page": shown})
    )
    assert "Related practice" in html and "Lapwing MAPPA minutes" in html
    assert "secrets" not in html and "Lapwing MAPPA meetings" not in html


def test_odd_search_text_never_breaks_the_search(backend, client):
    practices(backend, 1)
    for text in ['"', '""', 'a"b', "***", ")(", "\\", "lapwing AND OR NOT", "<b>", "%_", "the"]:
        assert client.get("/api/search/", {"q": text}).status_code == 200, text
        assert client.get("/search/", {"q": text}).status_code == 200, text
        assert client.get("/search/suggest/", {"q": text}).status_code == 200, text


def test_an_engine_without_the_index_falls_back_too(engine_backend, settings, client):
    settings.SEARCH_INDEX = "kx_test_never_created"
    response = client.get("/api/search/", {"q": "lapwing"})
    assert response.status_code == 200 and response.json()["fallback"] is True


def test_a_practice_page_shows_its_related_practice(backend, client):
    mappa = Topic.objects.get_or_create(slug="mappa", defaults={"name": "MAPPA"})[0]
    shown = PracticePageFactory(title="Lapwing MAPPA meetings", audience=Audience.PUBLIC)
    neighbour = PracticePageFactory(title="Lapwing MAPPA minutes", audience=Audience.PUBLIC)
    for practice in (shown, neighbour):
        practice.topics.set([mappa])
        practice.save()
    backend.index()

    html = client.get(shown.url).content.decode()

    assert "Related practice" in html and "Lapwing MAPPA minutes" in html
