"""Writes to the search index: the database entries first, then the engine's copy of them.

The database entry is written in the same transaction as nothing else can fail it; the engine
is then brought up to date from the entries flagged ``needs_engine_sync``, so an engine that was
down catches up on the next sync (a retried task, ``search_index --sync`` or ``--rebuild``).

A rebuild loses no write made while it runs. Rebuilding the entries locks each batch's rows
before reading its content, so an unpublish or edit that lands meanwhile is written after it,
from the content as it then is. Rebuilding the engine index fills a new index while the old one
stays live; the new one is marked by an alias in the engine, and while that marker exists every
sync keeps the live index current but leaves what it sends flagged. Before the alias moves, the
new index takes every flagged entry it does not already hold in that state; only then are the
flags settled. So whatever changed during the rebuild, and whenever, is in the index that search
reads once the alias has moved.
"""

import logging
from collections.abc import Callable
from datetime import date, datetime, time

from django.apps import apps
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from kx_site import page_cache

from .documents import BY_TYPE, DOCUMENTS, document_for_model
from .engine import EngineUnavailable, get_engine
from .index import (
    alias_name,
    ensure_index,
    index_body,
    is_versioned_index,
    new_index_name,
    rebuild_alias_name,
)
from .models import SearchEntry

logger = logging.getLogger(__name__)

# Index operations other than queries may take longer than a page may wait.
ENGINE_WRITE_TIMEOUT = 30
SYNC_BATCH = 500
# (primary key, stamp) pairs per statement when settling: well within SQLite's limits.
SETTLE_BATCH = 100


def _as_datetime(value):
    if value is None or isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return timezone.make_aware(datetime.combine(value, time()))
    return value


def entry_fields(document, obj):
    """The SearchEntry fields for ``obj``, and its restricted organisations' ids."""
    data = document.entry(obj)
    when = _as_datetime(data.date)
    slugs = list(dict.fromkeys(slug for slug, _name in [*data.topics, *data.inherited_topics]))
    fields = {
        "parent_key": data.parent_key,
        "doc_type": document.doc_type,
        "title": data.title[:500],
        "summary": data.summary,
        "body": data.body,
        "topic_names": " ".join(name for _slug, name in data.topics),
        # Filtered on alike; searched apart (``inherited_text`` weighs least).
        "topics": f",{','.join(slugs)}," if slugs else "",
        "inherited_text": " ".join(
            [data.inherited_text, *(name for _slug, name in data.inherited_topics)]
        ).strip(),
        "does_it_work": data.does_it_work,
        "evidence_stage": data.evidence_stage,
        "organisation_kind": data.organisation_kind,
        "organisation": data.organisation,
        "year": when.year if when else None,
        "date": when,
        "object_id": obj.pk,
        "published_at": _as_datetime(data.published_at),
        "listing_rank": data.listing_rank,
        "url": data.url,
        "audience": data.audience,
        "restricted_to_kinds": data.restricted_to_kinds,
        "marking": data.marking or "official",
        "removed": False,
    }
    return fields, sorted(data.restricted_to_organisation_ids)


def _write_rows(rows):
    """Write entries, ``{key: (fields, restricted organisation ids)}``, in a fixed number of
    queries whatever their number: one upsert by key (safe when two refreshes write the same
    entry at once), and their restricted organisations replaced in bulk. Returns the keys."""
    if not rows:
        return []
    # Bulk writes skip ``auto_now``: the sync relies on this stamp, shared by the whole write.
    stamp = {"indexed_at": timezone.now(), "needs_engine_sync": True}
    entries = [SearchEntry(key=key, **fields, **stamp) for key, (fields, _ids) in rows.items()]
    SearchEntry.objects.bulk_create(
        entries,
        batch_size=SYNC_BATCH,
        update_conflicts=True,
        unique_fields=["key"],
        update_fields=[*next(iter(rows.values()))[0], *stamp],
    )
    Organisations = SearchEntry.restricted_to_organisations.through
    Organisations.objects.filter(searchentry__in=entries).delete()
    Organisations.objects.bulk_create(
        [
            Organisations(searchentry_id=entry.pk, organisation_id=organisation_id)
            for entry in entries
            for organisation_id in rows[entry.key][1]
        ],
        batch_size=SYNC_BATCH,
    )
    # The library's listing reads these rows when there is no engine.
    page_cache.retire_kept_pages_after_commit()
    return list(rows)


def _write_entries(pairs):
    """Write the entries of (document, object) pairs; returns the keys written."""
    return _write_rows(
        {document.key(obj.pk): entry_fields(document, obj) for document, obj in pairs}
    )


def _lock(entries):
    """Lock ``entries``' rows until the transaction ends (in primary key order, as every lock
    taken here, so that two writers never wait for each other). A no-op on SQLite, whose
    writers take turns on the whole database."""
    list(entries.select_for_update().order_by("pk").values_list("pk", flat=True))


def _searchable(pairs):
    """The pairs whose object is still in its document's queryset (one query per document)."""
    by_document = {}
    for document, obj in pairs:
        by_document.setdefault(document, []).append(obj)
    kept = []
    for document, objects in by_document.items():
        pks = set(
            document.queryset().filter(pk__in=[o.pk for o in objects]).values_list("pk", flat=True)
        )
        kept += [(document, obj) for obj in objects if obj.pk in pks]
    return kept


def _mark_removed(entries):
    page_cache.retire_kept_pages_after_commit()
    return entries.filter(removed=False).update(
        removed=True, needs_engine_sync=True, indexed_at=timezone.now()
    )


@transaction.atomic
def search_entry_refresh(*, model_label: str, pk: int) -> None:
    """Bring the entries for one object, and those indexed with it, up to date with its content.

    An object that is no longer searchable (unpublished, deleted) is marked removed, with its
    dependants, until the engine has dropped them too.
    """
    document = document_for_model(apps.get_model(model_label))
    if document is None:
        return
    key = document.key(pk)
    # A rebuild, or another refresh, holding these rows finishes first; the content is then read
    # as it is after both, and nothing read earlier is written over it.
    _lock(SearchEntry.objects.filter(Q(key=key) | Q(parent_key=key)))
    obj = document.queryset().filter(pk=pk).first()
    if obj is None:
        _mark_removed(SearchEntry.objects.filter(Q(key=key) | Q(parent_key=key)))
        return
    _write_entries([(document, obj)])
    # A thread may bring thousands of replies: written in bulk, not one by one.
    kept = _write_entries(_searchable(document.dependants(obj)))
    _mark_removed(SearchEntry.objects.filter(parent_key=key).exclude(key__in=kept))


def _sync_operations(entries, index):
    operations = []
    for entry in entries:
        if entry.removed:
            operations.append({"delete": {"_index": index, "_id": entry.key}})
        else:
            operations.append({"index": {"_index": index, "_id": entry.key}})
            operations.append(entry.engine_document())
    return operations


def _entry_batches(entries, batch_size):
    """``entries`` in batches, by primary key, each read afresh (rows flagged or rewritten while
    earlier batches were on their way are read as they now are)."""
    entries = entries.order_by("pk").prefetch_related("restricted_to_organisations")
    after = 0
    while True:
        batch = list(entries.filter(pk__gt=after)[:batch_size])
        if not batch:
            return
        yield batch
        after = batch[-1].pk


def _versions(entries):
    """{pk: (removed, indexed_at)}: the state of each entry that was sent."""
    return {entry.pk: (entry.removed, entry.indexed_at) for entry in entries}


def _settle(versions):
    """Clear the flag of (or delete, if removed) the entries the engine now holds as sent: only
    rows nothing rewrote since, whose stamp is still the one sent. One statement per hundred
    entries, whatever their stamps."""
    items = list(versions.items())
    for start in range(0, len(items), SETTLE_BATCH):
        sent = {True: Q(pk__in=[]), False: Q(pk__in=[])}
        for pk, (removed, stamp) in items[start : start + SETTLE_BATCH]:
            sent[removed] |= Q(pk=pk, indexed_at=stamp)
        SearchEntry.objects.filter(sent[False], removed=False).update(needs_engine_sync=False)
        _delete_entries(SearchEntry.objects.filter(sent[True], removed=True))


def _delete_entries(entries):
    """Delete ``entries``. Deleting reads the rows before it deletes them (for their restricted
    organisations); locked, none can be republished in between and deleted all the same."""
    while True:
        with transaction.atomic():
            batch = entries.select_for_update().order_by("pk").values_list("pk", flat=True)
            locked = list(batch[:SYNC_BATCH])
            if not locked:
                return
            SearchEntry.objects.filter(pk__in=locked).delete()


def search_engine_sync(*, engine=None, batch_size=SYNC_BATCH) -> int:
    """Send every entry flagged ``needs_engine_sync`` to the engine; return how many.

    While a rebuild fills a new index, the entries go to the live index and stay flagged: the
    rebuild sends them to the new index and settles them. Raises EngineUnavailable if the
    engine cannot take them; the flags then stay set.
    """
    engine = engine or get_engine(timeout=ENGINE_WRITE_TIMEOUT)
    if engine is None:
        # No engine: removed entries only waited for one.
        _delete_entries(SearchEntry.objects.filter(removed=True))
        return 0
    alias, marker = alias_name(), rebuild_alias_name()
    sent = 0
    for batch in _entry_batches(SearchEntry.objects.filter(needs_engine_sync=True), batch_size):
        # Asked after the batch was read: a rebuild that starts after this answer reads these
        # entries after us, so settling them is safe; while one runs, it settles them.
        aliases = engine.aliases(alias, marker)
        rebuilding, live = aliases[marker], aliases[alias]
        if rebuilding and not live:
            return sent  # nothing is live yet: the rebuild sends every entry
        if rebuilding:
            # The indexes themselves, not the alias: once the alias moves, what this process
            # read before must not reach the new index after the rebuild settled newer states.
            operations = [op for index in live for op in _sync_operations(batch, index)]
        else:
            if not live:
                ensure_index(engine, alias)
            operations = _sync_operations(batch, alias)
        engine.bulk(operations)
        if not rebuilding:
            _settle(_versions(batch))
        sent += len(batch)
    if sent:
        # Pages kept for signed-out readers (the library's listing asks the engine) are retired
        # once the engine shows the change, not before: a page rendered in between would be
        # kept without it.
        engine.refresh(alias)
        page_cache.retire_kept_pages_after_commit()
    return sent


def search_index_object(*, model_label: str, pk: int) -> None:
    """Refresh one object's entries, then send them to the engine once the transaction commits."""
    search_entry_refresh(model_label=model_label, pk=pk)
    from .tasks import sync_search_engine

    transaction.on_commit(lambda: sync_search_engine.enqueue())


def _entry_differs(entry, fields, organisation_ids):
    if entry is None or any(getattr(entry, name) != value for name, value in fields.items()):
        return True
    return sorted(o.pk for o in entry.restricted_to_organisations.all()) != organisation_ids


def _pk_batches(queryset, batch_size):
    pks = queryset.prefetch_related(None).order_by("pk").values_list("pk", flat=True)
    after = None
    while True:
        batch = list((pks if after is None else pks.filter(pk__gt=after))[:batch_size])
        if not batch:
            return
        yield batch
        after = batch[-1]


def _mark_gone(keys, batch_size):
    """Mark removed those of ``keys`` whose content is no longer searchable; return how many.

    Checked under lock: an entry a refresh wrote for content published during the rebuild stays.
    """
    removed = 0
    for start in range(0, len(keys), batch_size):
        chunk = keys[start : start + batch_size]
        with transaction.atomic():
            _lock(SearchEntry.objects.filter(key__in=chunk))
            by_type = {}
            for key in chunk:
                doc_type, _colon, pk = key.partition(":")
                by_type.setdefault(doc_type, []).append(pk)
            gone = []
            for doc_type, pks in by_type.items():
                document = BY_TYPE.get(doc_type)
                present = set()
                if document is not None:
                    queryset = document.queryset().prefetch_related(None).filter(pk__in=pks)
                    present = {str(pk) for pk in queryset.values_list("pk", flat=True)}
                gone += [f"{doc_type}:{pk}" for pk in pks if pk not in present]
            removed += _mark_removed(SearchEntry.objects.filter(key__in=gone))
    return removed


def search_entries_rebuild(
    *, batch_size: int = SYNC_BATCH, progress: Callable[[int], None] | None = None
) -> int:
    """Bring every entry up to date with the content; return how many were written.

    Entries that differ from their content are rewritten (and so flagged for the engine); the
    entries of content no longer searchable are marked removed. ``progress(n)`` is called after
    each batch of ``n`` items.
    """
    seen, written = set(), 0
    for document in DOCUMENTS:
        for pks in _pk_batches(document.queryset(), batch_size):
            keys = [document.key(pk) for pk in pks]
            with transaction.atomic():
                # Locked before the content is read: see the module's docstring.
                _lock(SearchEntry.objects.filter(key__in=keys))
                existing = {
                    entry.key: entry
                    for entry in SearchEntry.objects.filter(key__in=keys).prefetch_related(
                        "restricted_to_organisations"
                    )
                }
                rows = {}
                for obj in document.queryset().filter(pk__in=pks):
                    key = document.key(obj.pk)
                    seen.add(key)
                    fields, organisation_ids = entry_fields(document, obj)
                    if _entry_differs(existing.get(key), fields, organisation_ids):
                        rows[key] = (fields, organisation_ids)
                written += len(_write_rows(rows))
            if progress:
                progress(len(pks))
    listed = SearchEntry.objects.filter(removed=False).values_list("key", flat=True)
    _mark_gone([key for key in listed.iterator() if key not in seen], batch_size)
    return written


def search_engine_fill(
    *, engine, index, progress=None, batch_size: int = SYNC_BATCH, sent: dict | None = None
) -> int:
    """Send every entry to the engine index ``index`` (a new one, not yet behind the alias).

    ``sent``, if given, learns the state (``_versions``) in which each entry was sent.
    """
    count = 0
    for batch in _entry_batches(SearchEntry.objects.filter(removed=False), batch_size):
        engine.bulk(_sync_operations(batch, index))
        if sent is not None:
            sent.update(_versions(batch))
        count += len(batch)
        if progress:
            progress(len(batch))
    engine.refresh(index)
    return count


class RebuildUnfinished(Exception):
    """A rebuild is filling an index already, or one was interrupted and left its index."""

    def __init__(self, indexes):
        self.indexes = indexes
        super().__init__(
            f"a rebuild is filling {', '.join(indexes)} already, or was interrupted; if none "
            "is running, run `manage.py search_index --rebuild --discard-unfinished`"
        )


def _catch_up(engine, index, sent, batch_size):
    """Send ``index`` every flagged entry it does not hold in its present state: whatever
    changed after the fill read it (syncs during the rebuild left these flagged)."""
    flagged = SearchEntry.objects.filter(needs_engine_sync=True)
    changed = [
        pk
        for pk, removed, stamp in flagged.values_list("pk", "removed", "indexed_at").iterator()
        if sent.get(pk) != (removed, stamp)
    ]
    for start in range(0, len(changed), batch_size):
        entries = SearchEntry.objects.filter(pk__in=changed[start : start + batch_size])
        batch = list(entries.prefetch_related("restricted_to_organisations"))
        engine.bulk(_sync_operations(batch, index))
        sent.update(_versions(batch))


def search_engine_rebuild(
    *,
    engine=None,
    batch_size: int = SYNC_BATCH,
    progress: Callable[[int], None] | None = None,
    discard_unfinished: bool = False,
) -> str:
    """Fill a new versioned index from the entries and move the alias onto it, in one step;
    return the new index's name. See the module's docstring for how no write is lost.

    Raises RebuildUnfinished if another rebuild's index is there (``discard_unfinished``
    deletes it first) and EngineUnavailable if the engine fails; the new index is then deleted
    and the live one stays as it was.
    """
    engine = engine or get_engine(timeout=ENGINE_WRITE_TIMEOUT)
    alias, marker = alias_name(), rebuild_alias_name()
    unfinished = engine.alias_targets(marker)
    if unfinished and not discard_unfinished:
        raise RebuildUnfinished(unfinished)
    for index in unfinished:
        engine.delete_index(index)
    # The live index takes what is pending first: what is flagged from here on changed during
    # the rebuild, and the syncs that run meanwhile resend only that.
    if engine.alias_targets(alias):
        search_engine_sync(engine=engine, batch_size=batch_size)
    name = new_index_name(alias)
    # Created with its marker in one step: no sync can see the index without it.
    engine.create_index(name, index_body(name, aliases=[marker]))
    try:
        others = [index for index in engine.alias_targets(marker) if index != name]
        if others:
            raise RebuildUnfinished(others)  # started at the same moment as this one
        sent = {}
        search_engine_fill(
            engine=engine, index=name, progress=progress, batch_size=batch_size, sent=sent
        )
        _catch_up(engine, name, sent, batch_size)
        engine.refresh(name)
        old = engine.point_alias(alias, name, remove_aliases=[marker])
        page_cache.retire_kept_pages_after_commit()
    except BaseException:
        try:
            engine.delete_index(name)
        except EngineUnavailable as exc:
            logger.error("Could not delete the unfinished search index %s: %s", name, exc)
        raise
    # Writes that were on their way to an old index when it went may have made it anew.
    marked = engine.alias_targets(marker)
    leftovers = [
        index
        for index in engine.indices(f"{alias}-*")
        if is_versioned_index(index, alias) and index != name and index not in marked
    ]
    for index in sorted({*old, *leftovers}):
        engine.delete_index(index)
    flagged = set(SearchEntry.objects.filter(needs_engine_sync=True).values_list("pk", flat=True))
    _settle({pk: version for pk, version in sent.items() if pk in flagged})
    # What changed between the catch-up and the move goes now, through the alias.
    search_engine_sync(engine=engine, batch_size=batch_size)
    return name


def searchable_count():
    return sum(document.queryset().count() for document in DOCUMENTS)


def log_engine_fault(action, exc):
    logger.warning("Search engine unavailable during %s: %s", action, exc)


__all__ = [
    "EngineUnavailable",
    "RebuildUnfinished",
    "entry_fields",
    "search_engine_fill",
    "search_engine_rebuild",
    "search_engine_sync",
    "search_entries_rebuild",
    "search_entry_refresh",
    "search_index_object",
]
