"""Publishing, unpublishing, moving and deleting keep the index in step, through tasks; an
engine that is down loses nothing; ``search_index`` rebuilds, checks and catches up."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kx_site.audience import Audience
from search import selectors, services
from search.index import alias_name
from search.models import SearchEntry
from search.queries import SearchQuery
from tests.events.factories import EventPageFactory, EventSessionFactory
from tests.factories import UserFactory
from tests.practice_library.factories import PracticeIndexPageFactory, PracticePageFactory

pytestmark = pytest.mark.django_db


def titles(user, text):
    return [hit.title for hit in selectors.search(SearchQuery(text=text), user).hits]


def refresh(backend):
    if backend.engine:
        backend.engine.refresh(alias_name())


def test_publishing_unpublishing_and_deleting_update_the_index(
    backend, django_capture_on_commit_callbacks
):
    user = UserFactory()
    practice = PracticePageFactory(title="Heron practice", audience=Audience.REGISTERED)
    assert titles(user, "heron") == []

    with django_capture_on_commit_callbacks(execute=True):
        practice.save_revision().publish()
    refresh(backend)
    assert titles(user, "heron") == ["Heron practice"]
    # The engine has taken it; without one, it waits for an engine to be configured.
    entry = SearchEntry.objects.get(key=f"practice:{practice.pk}")
    assert entry.needs_engine_sync is (backend.engine is None)

    practice.title = "Heron and egret practice"
    with django_capture_on_commit_callbacks(execute=True):
        practice.save_revision().publish()
    refresh(backend)
    assert titles(user, "egret") == ["Heron and egret practice"]

    with django_capture_on_commit_callbacks(execute=True):
        practice.unpublish()
    refresh(backend)
    assert titles(user, "heron") == []
    assert not SearchEntry.objects.filter(key=f"practice:{practice.pk}").exists()

    with django_capture_on_commit_callbacks(execute=True):
        practice.save_revision().publish()
    with django_capture_on_commit_callbacks(execute=True):
        practice.delete()
    refresh(backend)
    assert titles(user, "heron") == []


def test_a_move_reindexes_the_new_url(backend, django_capture_on_commit_callbacks):
    user = UserFactory()
    library = PracticeIndexPageFactory()
    practice = PracticePageFactory(title="Plover practice", audience=Audience.PUBLIC)
    with django_capture_on_commit_callbacks(execute=True):
        practice.save_revision().publish()
    with django_capture_on_commit_callbacks(execute=True):
        practice.slug = "plover-moved"
        practice.save_revision().publish()
        practice.get_parent().specific  # noqa: B018 - the parent stays; the slug changes the URL
    refresh(backend)
    hit = selectors.search(SearchQuery(text="plover"), user).hits[0]
    assert hit.url == f"{library.url}plover-moved/"


def test_an_event_brings_its_sessions(backend, django_capture_on_commit_callbacks):
    user = UserFactory()
    event = EventPageFactory(title="Curlew conference", audience=Audience.REGISTERED)
    session = EventSessionFactory(event=event, title="Curlew workshop on visits")
    with django_capture_on_commit_callbacks(execute=True):
        event.save_revision().publish()
    refresh(backend)
    assert sorted(titles(user, "curlew")) == ["Curlew conference", "Curlew workshop on visits"]
    with django_capture_on_commit_callbacks(execute=True):
        session.delete()
        event.save_revision().publish()
    refresh(backend)
    assert titles(user, "curlew") == ["Curlew conference"]


def test_an_engine_outage_loses_no_update(engine_backend, settings, caplog):
    user = UserFactory()
    PracticePageFactory(title="Avocet practice", audience=Audience.REGISTERED)
    engine_url = settings.SEARCH_URL
    settings.SEARCH_URL = "http://127.0.0.1:9"  # nothing listens here
    services.search_entries_rebuild()
    from search.tasks import sync_search_engine

    result = sync_search_engine.enqueue()
    assert result.return_value == "pending"
    assert "Search index update failed" in caplog.text
    assert SearchEntry.objects.get().needs_engine_sync
    # Meanwhile the page answers from the database.
    results = selectors.search(SearchQuery(text="avocet"), user)
    assert results.fallback and [h.title for h in results.hits] == ["Avocet practice"]

    settings.SEARCH_URL = engine_url
    call_command("search_index", "--sync")
    engine_backend.engine.refresh(alias_name())
    results = selectors.search(SearchQuery(text="avocet"), user)
    assert results.source == "engine" and [h.title for h in results.hits] == ["Avocet practice"]


def test_rebuild_swaps_the_alias_and_check_reports_problems(backend, capsys):
    user = UserFactory()
    kept = PracticePageFactory(title="Dunlin practice", audience=Audience.REGISTERED)
    call_command("search_index", "--rebuild")
    out = capsys.readouterr().out
    assert "1 entries written" in out
    if backend.engine:
        first = backend.engine.alias_targets(alias_name())
        call_command("search_index", "--rebuild")
        second = backend.engine.alias_targets(alias_name())
        assert len(first) == len(second) == 1 and first != second
        assert backend.engine.indices(first[0]) == []
    assert titles(user, "dunlin") == ["Dunlin practice"]
    call_command("search_index", "--check")
    assert "up to date" in capsys.readouterr().out

    # Changed without publishing through Wagtail: the check notices, the rebuild repairs.
    PracticePageFactory(title="Sanderling practice", audience=Audience.REGISTERED)
    type(kept).objects.filter(pk=kept.pk).update(title="Dunlin practice, revised")
    with pytest.raises(CommandError):
        call_command("search_index", "--check")
    out = capsys.readouterr().out
    assert "missing: 1" in out and "stale: 1" in out
    call_command("search_index", "--rebuild")
    call_command("search_index", "--check")
    assert "up to date" in capsys.readouterr().out
