"""Writes to the search index: the database entries first, then the engine's copy of them.

The database entry is written in the same transaction as nothing else can fail it; the engine
is then brought up to date from the entries flagged ``needs_engine_sync``, so an engine that was
down catches up on the next sync (a retried task, ``search_index --sync`` or ``--rebuild``).
"""

import logging
from datetime import date, datetime, time

from django.apps import apps
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .documents import DOCUMENTS, document_for_model
from .engine import EngineUnavailable, get_engine
from .index import alias_name, ensure_index
from .models import SearchEntry

logger = logging.getLogger(__name__)

# Index operations other than queries may take longer than a page may wait.
ENGINE_WRITE_TIMEOUT = 30
SYNC_BATCH = 500


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
    fields = {
        "parent_key": data.parent_key,
        "doc_type": document.doc_type,
        "title": data.title[:500],
        "summary": data.summary,
        "body": data.body,
        "topic_names": " ".join(name for _slug, name in data.topics),
        "topics": f",{','.join(slug for slug, _name in data.topics)}," if data.topics else "",
        "does_it_work": data.does_it_work,
        "evidence_stage": data.evidence_stage,
        "organisation_kind": data.organisation_kind,
        "organisation": data.organisation,
        "year": when.year if when else None,
        "date": when,
        "url": data.url,
        "audience": data.audience,
        "restricted_to_kinds": data.restricted_to_kinds,
        "marking": data.marking or "official",
        "removed": False,
    }
    return fields, sorted(data.restricted_to_organisation_ids)


def _write_entries(pairs):
    """Write the entries of (document, object) pairs in a fixed number of queries, whatever
    their number: one upsert by key (safe when two refreshes write the same entry at once), and
    their restricted organisations replaced in bulk. Returns the keys written."""
    rows = {document.key(obj.pk): entry_fields(document, obj) for document, obj in pairs}
    if not rows:
        return []
    # Bulk writes skip ``auto_now``: the sync relies on this stamp.
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
    return list(rows)


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


def search_engine_sync(*, engine=None) -> int:
    """Send every entry flagged ``needs_engine_sync`` to the engine; return how many.

    Raises EngineUnavailable if the engine cannot take them; the flags then stay set.
    """
    engine = engine or get_engine(timeout=ENGINE_WRITE_TIMEOUT)
    if engine is None:
        # No engine: removed entries only waited for one.
        SearchEntry.objects.filter(removed=True).delete()
        return 0
    ensure_index(engine)
    sent = 0
    while True:
        batch = list(
            SearchEntry.objects.filter(needs_engine_sync=True)
            .prefetch_related("restricted_to_organisations")
            .order_by("pk")[:SYNC_BATCH]
        )
        if not batch:
            return sent
        engine.bulk(_sync_operations(batch, alias_name()))
        # Only the rows nothing rewrote while they were on their way (the same stamp) are done;
        # entries written together share a stamp, and are settled together.
        stamps = {}
        for entry in batch:
            stamps.setdefault((entry.removed, entry.indexed_at), []).append(entry.pk)
        for (removed, stamp), pks in stamps.items():
            rows = SearchEntry.objects.filter(pk__in=pks, indexed_at=stamp)
            if removed:
                rows.delete()
            else:
                rows.update(needs_engine_sync=False)
        sent += len(batch)


def search_index_object(*, model_label: str, pk: int) -> None:
    """Refresh one object's entries, then send them to the engine once the transaction commits."""
    search_entry_refresh(model_label=model_label, pk=pk)
    from .tasks import sync_search_engine

    transaction.on_commit(lambda: sync_search_engine.enqueue())


def search_entries_rebuild(*, progress=None) -> int:
    """Rewrite every entry from the content; entries of content no longer searchable go."""
    started = timezone.now()
    written = 0
    for document in DOCUMENTS:
        for obj in document.queryset().iterator(chunk_size=500):
            with transaction.atomic():
                _write_entries([(document, obj)])
            written += 1
            if progress:
                progress()
    # Every entry still searchable was rewritten just now; the rest are gone from the content.
    _mark_removed(SearchEntry.objects.filter(indexed_at__lt=started))
    return written


def search_engine_fill(*, engine, index, progress=None) -> int:
    """Send every entry to the engine index ``index`` (a new one, not yet behind the alias)."""
    entries = SearchEntry.objects.filter(removed=False).prefetch_related(
        "restricted_to_organisations"
    )
    batch, sent = [], 0
    for entry in entries.iterator(chunk_size=SYNC_BATCH):
        batch += [{"index": {"_index": index, "_id": entry.key}}, entry.engine_document()]
        if len(batch) >= 2 * SYNC_BATCH:
            engine.bulk(batch)
            sent += len(batch) // 2
            if progress:
                progress(len(batch) // 2)
            batch = []
    engine.bulk(batch)
    sent += len(batch) // 2
    if progress:
        progress(len(batch) // 2)
    engine.refresh(index)
    return sent


def searchable_count():
    return sum(document.queryset().count() for document in DOCUMENTS)


def log_engine_fault(action, exc):
    logger.warning("Search engine unavailable during %s: %s", action, exc)


__all__ = [
    "EngineUnavailable",
    "entry_fields",
    "search_engine_sync",
    "search_entries_rebuild",
    "search_entry_refresh",
    "search_index_object",
]
