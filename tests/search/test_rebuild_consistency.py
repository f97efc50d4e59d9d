"""A rebuild loses no write made while it runs.

An unpublish of a restricted practice, or an edit, that lands in the middle of a rebuild is in the
index search reads once the rebuild is done: on the engine (a new index is filled while the old
one stays live, then the alias moves) and on the database (the entries are rewritten in batches).
The changes go through Wagtail and the real tasks, as an editor's would.
"""

import threading
import time

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from accounts.models import OrganisationKind
from kx_site.audience import Audience, Marking
from practice_library.models import PracticePage
from search import selectors, services
from search.engine import EngineUnavailable
from search.index import alias_name, index_body, new_index_name, rebuild_alias_name
from search.models import SearchEntry
from search.queries import SearchQuery
from tests.factories import PractitionerFactory
from tests.practice_library.factories import PracticePageFactory

pytestmark = pytest.mark.django_db

WORD = "sandpiper"


def police_only_practices(count):
    """OFFICIAL-SENSITIVE practices for police forces only, in primary key order."""
    return [
        PracticePageFactory(
            title=f"{WORD.title()} practice {n}",
            audience=Audience.RESTRICTED,
            restricted_to_kinds=[OrganisationKind.POLICE_FORCE],
            marking=Marking.OFFICIAL_SENSITIVE,
        )
        for n in range(count)
    ]


def key(practice):
    return f"practice:{practice.pk}"


def unpublish(practice, capture):
    with capture(execute=True):
        PracticePage.objects.get(pk=practice.pk).unpublish()


def retitle(practice, title, capture):
    page = PracticePage.objects.get(pk=practice.pk)
    page.title = title
    with capture(execute=True):
        page.save_revision().publish()


def titles(user):
    return sorted(hit.title for hit in selectors.search(SearchQuery(text=WORD), user).hits)


def engine_titles(engine, index):
    engine.refresh(index)
    hits = engine.search(index, {"size": 100, "query": {"match_all": {}}})["hits"]["hits"]
    return {hit["_id"]: hit["_source"]["title"] for hit in hits}


def test_an_unpublish_and_an_edit_during_an_engine_rebuild_are_in_the_new_index(
    engine_backend, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    engine = engine_backend.engine
    officer = PractitionerFactory()
    p = police_only_practices(6)
    engine_backend.index()
    live_before = engine.alias_targets(alias_name())
    assert titles(officer) == [f"{WORD.title()} practice {n}" for n in range(6)]

    # The rebuild fills the new index two entries at a time. Just before it sends its second
    # batch, editors unpublish and edit: p0 and p1 are in the new index already, p2 and p3 have
    # been read and are on their way with their old content.
    fill_batches, seen_mid_rebuild = [], {}
    send = engine.bulk

    def bulk(operations):
        keys = [op["index"]["_id"] for op in operations if "index" in op]
        if operations and next(iter(operations[0].values()))["_index"] != alias_name():
            fill_batches.append(keys)
        if len(fill_batches) == 2 and not seen_mid_rebuild:
            unpublish(p[0], capture)
            retitle(p[1], f"{WORD.title()} practice 1, revised", capture)
            unpublish(p[2], capture)
            retitle(p[3], f"{WORD.title()} practice 3, revised", capture)
            # Meanwhile search reads the live index, which the edits reached at once.
            engine.refresh(alias_name())
            seen_mid_rebuild["titles"] = titles(officer)
            seen_mid_rebuild["flagged"] = SearchEntry.objects.filter(
                needs_engine_sync=True
            ).count()
        return send(operations)

    # What search reads the moment the alias moves, before anything else is sent.
    move, at_move = engine.point_alias, {}

    def point_alias(alias, index, **kwargs):
        old = move(alias, index, **kwargs)
        at_move.update(engine_titles(engine, alias))
        return old

    engine.bulk, engine.point_alias = bulk, point_alias
    name = services.search_engine_rebuild(engine=engine, batch_size=2)

    assert fill_batches[:2] == [[key(p[0]), key(p[1])], [key(p[2]), key(p[3])]]
    expected = [
        f"{WORD.title()} practice 1, revised",
        f"{WORD.title()} practice 3, revised",
        f"{WORD.title()} practice 4",
        f"{WORD.title()} practice 5",
    ]
    assert seen_mid_rebuild["titles"] == expected
    # The syncs during the rebuild left their entries for the rebuild to settle.
    assert seen_mid_rebuild["flagged"] == 4

    # The alias moved to the new index, which holds the edits and not the unpublished items.
    assert engine.alias_targets(alias_name()) == [name] and name not in live_before
    assert engine.alias_targets(rebuild_alias_name()) == []
    assert engine.indices(live_before[0]) == []
    assert (
        at_move
        == engine_titles(engine, name)
        == {
            key(p[1]): f"{WORD.title()} practice 1, revised",
            key(p[3]): f"{WORD.title()} practice 3, revised",
            key(p[4]): f"{WORD.title()} practice 4",
            key(p[5]): f"{WORD.title()} practice 5",
        }
    )
    assert titles(officer) == expected
    assert selectors.search(SearchQuery(text=WORD), officer).source == "engine"
    # Everything is settled: nothing flagged, the removed entries gone.
    assert not SearchEntry.objects.filter(needs_engine_sync=True).exists()
    assert sorted(SearchEntry.objects.values_list("key", flat=True)) == sorted(
        key(p[n]) for n in (1, 3, 4, 5)
    )


def test_an_unpublish_and_an_edit_during_an_entries_rebuild_are_kept(
    database_backend, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    officer = PractitionerFactory()
    p = police_only_practices(4)
    services.search_entries_rebuild()
    # Changed without publishing through Wagtail: every entry is stale, the rebuild rewrites all.
    PracticePage.objects.filter(pk__in=[x.pk for x in p]).update(summary="Summary, revised.")

    batches = []

    def progress(count):
        batches.append(count)
        if len(batches) == 1:
            # p0 and p1 are rewritten; p2 and p3 come next.
            retitle(p[0], f"{WORD.title()} practice 0, revised", capture)
            unpublish(p[2], capture)
            retitle(p[3], f"{WORD.title()} practice 3, revised", capture)

    written = services.search_entries_rebuild(batch_size=2, progress=progress)

    # p0 and p1 by the rebuild; p3 was written by its edit, from the content the rebuild found.
    assert batches == [2, 1] and written == 2
    entries = {e.key: e for e in SearchEntry.objects.all()}
    assert sorted(entries) == sorted(key(p[n]) for n in (0, 1, 3))
    assert entries[key(p[0])].title == f"{WORD.title()} practice 0, revised"
    assert entries[key(p[3])].title == f"{WORD.title()} practice 3, revised"
    assert {e.summary for e in entries.values()} == {"Summary, revised."}
    assert titles(officer) == [
        f"{WORD.title()} practice 0, revised",
        f"{WORD.title()} practice 1",
        f"{WORD.title()} practice 3, revised",
    ]


def test_a_rebuild_rewrites_only_the_entries_that_differ(database_backend):
    p = police_only_practices(3)
    assert services.search_entries_rebuild() == 3
    stamps = dict(SearchEntry.objects.values_list("key", "indexed_at"))
    assert services.search_entries_rebuild() == 0
    assert dict(SearchEntry.objects.values_list("key", "indexed_at")) == stamps
    PracticePage.objects.filter(pk=p[1].pk).update(title="Renamed")
    PracticePage.objects.filter(pk=p[2].pk).update(live=False)
    assert services.search_entries_rebuild() == 1
    assert SearchEntry.objects.get(key=key(p[1])).title == "Renamed"
    assert SearchEntry.objects.get(key=key(p[2])).removed


def test_a_failed_engine_rebuild_leaves_the_live_index_as_it_was(engine_backend):
    engine = engine_backend.engine
    police_only_practices(3)
    engine_backend.index()
    live_before = engine.alias_targets(alias_name())
    send = engine.bulk

    def bulk(operations):
        if operations and next(iter(operations[0].values()))["_index"] != alias_name():
            raise EngineUnavailable("opensearch: the node went away")
        return send(operations)

    engine.bulk = bulk
    with pytest.raises(EngineUnavailable):
        services.search_engine_rebuild(engine=engine, batch_size=2)
    assert engine.alias_targets(alias_name()) == live_before
    assert engine.alias_targets(rebuild_alias_name()) == []
    assert engine.indices(f"{alias_name()}-*") == live_before
    assert len(engine_titles(engine, alias_name())) == 3


def test_an_interrupted_rebuild_is_reported_and_discarded_on_request(engine_backend, capsys):
    engine = engine_backend.engine
    police_only_practices(2)
    engine_backend.index()
    # What a rebuild killed half way leaves: a new index behind the rebuild alias.
    left = new_index_name()
    engine.create_index(left, index_body(left, aliases=[rebuild_alias_name()]))

    with pytest.raises(CommandError, match="discard-unfinished"):
        call_command("search_index", "--rebuild")
    assert engine.alias_targets(rebuild_alias_name()) == [left]
    call_command("search_index", "--check")
    assert f"A rebuild is filling {left}" in capsys.readouterr().out

    call_command("search_index", "--rebuild", "--discard-unfinished")
    assert engine.alias_targets(rebuild_alias_name()) == []
    assert engine.indices(left) == []
    assert engine.indices(f"{alias_name()}-*") == engine.alias_targets(alias_name())
    assert len(engine_titles(engine, alias_name())) == 2
    with pytest.raises(CommandError, match="goes with --rebuild"):
        call_command("search_index", "--sync", "--discard-unfinished")


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks: SQLite has none (its writers take turns on the whole database)",
)
# Committed data for the threads; the serialised rollback brings back the migrations' pages
# (the home page) that an earlier transactional test's flush removed.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_refresh_waits_for_the_rebuild_batch_that_read_the_old_content(monkeypatch):
    p = police_only_practices(2)
    services.search_entries_rebuild()
    PracticePage.objects.filter(pk__in=[x.pk for x in p]).update(summary="Summary, revised.")
    read, carry_on = threading.Event(), threading.Event()
    entry_fields = services.entry_fields

    def slow_entry_fields(document, obj):
        if obj.pk == p[1].pk and not read.is_set():
            read.set()  # the rebuild has read p1 as published, and holds its row
            assert carry_on.wait(timeout=60)
        return entry_fields(document, obj)

    monkeypatch.setattr(services, "entry_fields", slow_entry_fields)
    refresh_backend = []

    def rebuild():
        try:
            services.search_entries_rebuild()
        finally:
            connection.close()

    def refresh():
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                refresh_backend.append(cursor.fetchone()[0])
            services.search_entry_refresh(model_label="practice_library.PracticePage", pk=p[1].pk)
        finally:
            connection.close()

    rebuilding = threading.Thread(target=rebuild)
    rebuilding.start()
    assert read.wait(timeout=60)
    # Unpublished now (without the signal: the refresh is run below, in its own connection).
    PracticePage.objects.filter(pk=p[1].pk).update(live=False)
    refreshing = threading.Thread(target=refresh)
    refreshing.start()
    # The refresh waits on the row lock the rebuild's batch holds, before it reads the content.
    waiting = None
    for _ in range(600):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s",
                refresh_backend or [0],
            )
            waiting = cursor.fetchone()
        if waiting == ("Lock",) or not refreshing.is_alive():
            break
        time.sleep(0.1)  # polling, not a measure
    carry_on.set()
    rebuilding.join(timeout=60)
    refreshing.join(timeout=60)
    assert waiting == ("Lock",)
    # The rebuild wrote p1 from what it had read; the refresh then marked it removed.
    entry = SearchEntry.objects.get(key=key(p[1]))
    assert entry.removed and entry.needs_engine_sync
    assert not SearchEntry.objects.get(key=key(p[0])).removed


def test_both_adapters_ask_the_same_of_the_engine_for_a_rebuild(monkeypatch):
    from .test_engine_contract import elasticsearch_capture, normalise, opensearch_capture

    opensearch, sent_by_opensearch = opensearch_capture(monkeypatch)
    elasticsearch, sent_by_elasticsearch = elasticsearch_capture(monkeypatch)
    for engine in (opensearch, elasticsearch):
        assert engine.aliases("kx", "kx-rebuild") == {"kx": ["kx-0"], "kx-rebuild": []}
        engine.create_index("kx-1", index_body("kx-1", aliases=["kx-rebuild"]))
        assert engine.point_alias("kx", "kx-1", remove_aliases=["kx-rebuild"]) == ["kx-0"]
    assert normalise(sent_by_opensearch) == normalise(sent_by_elasticsearch)
    assert normalise(sent_by_opensearch)[-1] == (
        "/_aliases",
        {
            "actions": [
                {"remove": {"index": "kx-0", "alias": "kx"}},
                {"add": {"index": "kx-1", "alias": "kx"}},
                {"remove": {"index": "kx-1", "alias": "kx-rebuild"}},
            ]
        },
    )
