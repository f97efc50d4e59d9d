"""The practice library's index (/library/) finds and counts through the search query layer:
words, facets and permissions as on /search/, on the engine and on the database alike."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kx_site.audience import can_view
from practice_library.models import DoesItWork, Topic
from practice_library.selectors import practice_search
from tests.practice_library.factories import PracticeIndexPageFactory, PracticePageFactory

from .content import WORD, audience_practices, users

pytestmark = pytest.mark.django_db


def listed(response):
    return [practice.title for practice in response.context["practices_page"].object_list]


def login(client, user):
    if user.is_authenticated:
        client.force_login(user)


@pytest.fixture
def library(db):
    return PracticeIndexPageFactory()


def test_words_find_practices_best_match_first(backend, client, library, django_user_model):
    mappa = Topic.objects.get(slug="mappa")
    PracticePageFactory(
        title="Sharing notes", summary="Notes shared after each curlew meeting.", topics=[mappa]
    )
    PracticePageFactory(title="Curlew meetings", summary="Meetings held monthly.")
    PracticePageFactory(title="Something else", summary="Nothing to do with it.")
    backend.index()
    client.force_login(users_of_kent())

    response = client.get(library.url, {"q": "curlew meetings"})

    assert response.status_code == 200
    # The title match ranks first; the word only in a summary follows; the rest is left out.
    assert listed(response) == ["Curlew meetings", "Sharing notes"]
    assert response.context["practices_page"].paginator.count == 2
    body = response.content.decode()
    assert "2 practices found for ‘curlew meetings’." in body
    assert "MAPPA (1)" in body
    assert 'value="curlew meetings"' in body


def test_words_and_filters_combine_and_counts_follow_them(backend, client, library):
    for n, rating in enumerate((DoesItWork.WORKED, DoesItWork.WORKED, DoesItWork.PROMISING)):
        PracticePageFactory(title=f"Heron {rating}", slug=f"heron-{n}", does_it_work=rating)
    PracticePageFactory(title="Unrelated", does_it_work=DoesItWork.WORKED)
    backend.index()
    client.force_login(users_of_kent())

    response = client.get(library.url, {"q": "heron", "does_it_work": "promising"})

    assert listed(response) == ["Heron promising"]
    body = response.content.decode()
    # "Does it work?" is counted under the words but not under its own choice.
    assert "Worked (2)" in body and "Promising (1)" in body
    assert 'value="promising" checked' in body


def test_other_sorts_apply_to_the_matches(backend, client, library):
    for title in ("Zander plan", "Avocet zander plan", "Merlin zander plan"):
        PracticePageFactory(title=title)
    backend.index()
    client.force_login(users_of_kent())

    response = client.get(library.url, {"q": "zander", "sort": "title"})

    assert listed(response) == ["Avocet zander plan", "Merlin zander plan", "Zander plan"]


def test_matches_paginate(backend, client, library):
    for n in range(23):
        PracticePageFactory(title=f"Godwit practice {n}")
    backend.index()
    client.force_login(users_of_kent())

    first = client.get(library.url, {"q": "godwit"})
    second = client.get(library.url, {"q": "godwit", "page": 2})

    assert len(listed(first)) == 20 and len(listed(second)) == 3
    assert not set(listed(first)) & set(listed(second))
    assert first.context["practices_page"].paginator.count == 23


def test_each_user_lists_and_counts_only_what_they_may_see(backend, client, library):
    practices = audience_practices()
    backend.index()

    for who, user in users().items():
        client.logout()
        login(client, user)
        for params in ({"q": WORD}, {}):
            response = client.get(library.url, params)
            expected = {p.title for p in practices.values() if can_view(user, p)}
            assert set(listed(response)) == expected, (who, params)
            body = response.content.decode()
            for name, practice in practices.items():
                count_label = f"Topic {name} (1)"
                assert (count_label in body) == can_view(user, practice), (who, name, params)
                if not can_view(user, practice):
                    assert practice.title not in body
            assert f"Home visits ({len(expected)})" in body, (who, params)


def test_a_practice_the_index_still_holds_after_unpublishing_is_not_listed(
    engine_backend, client, library
):
    """The index may lag the pages for a moment; the list never shows what is no longer live."""
    kept = PracticePageFactory(title="Dunlin kept")
    gone = PracticePageFactory(title="Dunlin gone")
    engine_backend.index()
    gone.live = False
    gone.save(update_fields=["live"])  # no unpublish signal: the index still holds it
    client.force_login(users_of_kent())

    response = client.get(library.url, {"q": "dunlin"})

    assert listed(response) == [kept.title]


def test_the_engine_forgives_a_typo(engine_backend, client, library):
    PracticePageFactory(title="Polygraph testing with probation")
    engine_backend.index()
    client.force_login(users_of_kent())

    response = client.get(library.url, {"q": "polygrahp"})

    assert listed(response) == ["Polygraph testing with probation"]
    assert "simpler mode" not in response.content.decode()


def test_without_words_the_engine_lists_and_counts(engine_backend, client, library, monkeypatch):
    from search import selectors

    PracticePageFactory(title="Plover one", does_it_work=DoesItWork.WORKED)
    PracticePageFactory(title="Plover two", does_it_work=DoesItWork.PROMISING)
    engine_backend.index()
    asked = []
    find = selectors.find
    monkeypatch.setattr(selectors, "find", lambda *a, **k: asked.append(a) or find(*a, **k))
    client.force_login(users_of_kent())

    response = client.get(library.url, {"does_it_work": "worked"})

    assert asked, "the library did not ask the search layer"
    assert listed(response) == ["Plover one"]
    assert "Promising (1)" in response.content.decode()


def test_an_engine_that_is_down_falls_back_with_a_notice(
    database_backend, settings, client, library
):
    PracticePageFactory(title="Redshank visits")
    PracticePageFactory(title="Other practice")
    database_backend.index()
    settings.SEARCH_URL = "http://127.0.0.1:9"  # nothing listens here
    client.force_login(users_of_kent())

    with_words = client.get(library.url, {"q": "redshank"})
    without_words = client.get(library.url)

    assert with_words.status_code == 200 and listed(with_words) == ["Redshank visits"]
    assert "simpler mode" in with_words.content.decode()
    # Browsing needs no engine: the library's own SQL gives the exact list, without a notice.
    assert without_words.status_code == 200 and len(listed(without_words)) == 2
    assert "simpler mode" not in without_words.content.decode()


def test_over_long_words_get_an_error_not_a_failure(database_backend, client, library):
    PracticePageFactory(title="Still listed")
    client.force_login(users_of_kent())

    response = client.get(library.url, {"q": "x" * 201})

    assert response.status_code == 200
    assert "Search terms must be 200 characters or fewer" in response.content.decode()
    assert listed(response) == ["Still listed"]


def test_relevance_needs_words(database_backend):
    PracticePageFactory(title="B practice")
    PracticePageFactory(title="A practice")

    results = practice_search(user=users_of_kent(), sort="relevance")

    # Without words there is nothing to rank by: newest first, as the library lists by default.
    assert [p.title for p in results.practices] == ["A practice", "B practice"]


def count_queries(client, url, params):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(context.captured_queries)


def test_a_search_runs_the_same_queries_for_60_matches_as_for_6(
    backend, client, library, django_assert_max_num_queries
):
    topics = list(Topic.objects.filter(slug__in=["mappa", "training"]))
    client.force_login(users_of_kent())
    params = {"q": "sandpiper", "topics": "mappa"}
    for n in range(6):
        PracticePageFactory(title=f"Sandpiper {n}", topics=topics)
    backend.index()
    count_queries(client, library.url, params)  # Warm the caches the first request fills.
    small = count_queries(client, library.url, params)
    for n in range(54):
        PracticePageFactory(title=f"Sandpiper more {n}", topics=topics)
    backend.index()

    with django_assert_max_num_queries(small):
        response = client.get(library.url, params)

    assert response.context["practices_page"].paginator.count == 60


def users_of_kent():
    from tests.factories import PractitionerFactory

    return PractitionerFactory()
