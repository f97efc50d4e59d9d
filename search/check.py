"""Compare the content with the search index: what is missing, stale or left over."""

from .documents import DOCUMENTS
from .engine import get_engine
from .index import alias_name
from .models import SearchEntry
from .services import ENGINE_WRITE_TIMEOUT, entry_fields

COMPARED = ("title", "summary", "body", "topics", "url", "audience", "restricted_to_kinds")
COMPARED += ("marking", "does_it_work", "evidence_stage", "organisation", "date")


def _entry_is_stale(entry, fields, organisation_ids):
    if any(getattr(entry, name) != fields[name] for name in COMPARED):
        return True
    return sorted(o.pk for o in entry.restricted_to_organisations.all()) != organisation_ids


def _engine_documents(engine):
    """{key: indexed_at} for every document in the engine's index."""
    found, after = {}, None
    while True:
        body = {"size": 1000, "sort": [{"key": "asc"}], "_source": ["indexed_at"]}
        if after:
            body["search_after"] = after
        hits = engine.search(alias_name(), body)["hits"]["hits"]
        if not hits:
            return found
        for hit in hits:
            found[hit["_id"]] = hit["_source"].get("indexed_at")
        after = hits[-1]["sort"]


def index_report():
    entries = {
        e.key: e
        for e in SearchEntry.objects.filter(removed=False).prefetch_related(
            "restricted_to_organisations"
        )
    }
    report = {"missing": [], "stale": [], "left over": []}
    searchable = set()
    for document in DOCUMENTS:
        for obj in document.queryset().iterator(chunk_size=500):
            key = document.key(obj.pk)
            searchable.add(key)
            entry = entries.get(key)
            if entry is None:
                report["missing"].append(key)
            elif _entry_is_stale(entry, *entry_fields(document, obj)):
                report["stale"].append(key)
    report["left over"] = sorted(set(entries) - searchable)
    engine = get_engine(timeout=ENGINE_WRITE_TIMEOUT)
    if engine is not None:
        in_engine = _engine_documents(engine) if engine.alias_targets(alias_name()) else {}
        report["missing from the engine"] = sorted(searchable - set(in_engine))
        report["stale in the engine"] = sorted(
            key
            for key, entry in entries.items()
            if key in in_engine
            and (entry.needs_engine_sync or in_engine[key] != entry.indexed_at.isoformat())
        )
        report["left over in the engine"] = sorted(set(in_engine) - searchable)
    return report
