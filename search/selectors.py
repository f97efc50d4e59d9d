"""The reads the views make: search, suggestions, related items, spelling.

Each asks the engine when one is configured and falls back to the database when it cannot
answer (down, slow, erroring), logging the fault; the caller learns of it through
``SearchResults.fallback`` and shows a notice. Nothing here raises because the engine failed.
"""

import logging

from django.utils.html import escape
from django.utils.safestring import mark_safe

from . import database, queries
from .database import spelling_from_titles
from .documents import BY_TYPE
from .engine import EngineUnavailable, get_engine
from .index import alias_name
from .models import SearchEntry
from .results import Hit, Matches, SearchResults, parse_date

logger = logging.getLogger(__name__)


def _engine_hit(raw):
    source = raw["_source"]
    highlight = raw.get("highlight", {})
    # The engine escapes the text (encoder "html") and adds only <mark> tags.
    fragments = highlight.get("summary") or highlight.get("body")
    snippet = (
        mark_safe(fragments[0])
        if fragments
        else escape(source.get("summary", "")[: queries.SNIPPET_LENGTH])
    )
    return Hit(
        key=raw["_id"],
        doc_type=source["doc_type"],
        title=source["title"],
        url=source["url"],
        summary=source.get("summary", ""),
        highlight=snippet,
        date=parse_date(source.get("date")),
        parent_key=source.get("parent_key") or "",
    )


def engine_search(engine, query, user):
    response = engine.search(alias_name(), queries.search_body(query, user))
    total = response["hits"]["total"]
    return SearchResults(
        total=total["value"] if isinstance(total, dict) else total,
        hits=[_engine_hit(raw) for raw in response["hits"]["hits"]],
        facets=_engine_facets(response),
        source="engine",
    )


def _engine_facets(response):
    return queries.facet_buckets(response.get("aggregations", {}))


def _engine_fault(action, exc):
    logger.warning("Search engine failed during %s, answering from the database: %s", action, exc)


def _name_untitled(hits):
    """Give hits indexed without a title, or with only their own part of it, the one their
    document shows (one query a type)."""
    untitled = {}
    for hit in hits:
        document = BY_TYPE.get(hit.doc_type)
        if not hit.title or (document and document.titled_on_display):
            untitled.setdefault(hit.doc_type, []).append(hit)
    for doc_type, typed in untitled.items():
        document = BY_TYPE[doc_type]
        pks = [int(hit.key.partition(":")[2]) for hit in typed]
        titles = document.display_titles(pks)
        for hit, pk in zip(typed, pks, strict=True):
            hit.title = titles.get(pk) or hit.title or document.label


def search(query, user):
    engine = get_engine()
    results = None
    if engine is not None:
        try:
            results = engine_search(engine, query, user)
            if not results.total and query.text.strip():
                response = engine.search(alias_name(), queries.spelling_body(query.text, user))
                titles = [hit["_source"]["title"] for hit in response["hits"]["hits"]]
                results.suggestion = spelling_from_titles(query.text, titles)
        except EngineUnavailable as exc:
            _engine_fault("search", exc)
            results = None
    if results is None:
        results = database.database_search(query, user)
        results.fallback = engine is not None
        if not results.total and query.text.strip():
            results.suggestion = database.database_spelling(query.text, user)
    _name_untitled(results.hits)
    return results


def counts_within(query, user, parent_keys):
    """{parent key: how many of the matches ``user`` may see it holds} for ``parent_keys``, under
    ``query``'s words and filters: one question, whatever the number of parents."""
    if not parent_keys:
        return {}
    engine = get_engine()
    if engine is not None:
        try:
            response = engine.search(
                alias_name(), queries.counts_within_body(query, user, parent_keys)
            )
            buckets = response.get("aggregations", {}).get("within", {}).get("buckets", [])
            return {b["key"]: b["doc_count"] for b in buckets}
        except EngineUnavailable as exc:
            _engine_fault("counts within", exc)
    return database.database_counts_within(query, user, parent_keys)


def find(query, user, *, engine_only=False):
    """One page of the matches' keys, sorted as ``query.sort`` names in
    ``queries.LISTING_ORDERS``, with their total and the facets (``Matches``), from the engine
    or else the database.

    With ``engine_only``, answers None instead of asking the database: for callers that have
    an exact listing of their own to fall back on.
    """
    engine = get_engine()
    if engine is not None:
        try:
            response = engine.search(
                alias_name(), queries.keys_body(query, user), filter_path=queries.KEYS_FILTER_PATH
            )
            # Without matches, the filtered answer holds no "hits" list at all.
            hits = response.get("hits", {})
            total = hits.get("total", 0)
            return Matches(
                keys=[hit["fields"]["key"][0] for hit in hits.get("hits", [])],
                total=total["value"] if isinstance(total, dict) else total,
                facets=_engine_facets(response),
                source="engine",
            )
        except EngineUnavailable as exc:
            _engine_fault("find", exc)
    if engine_only:
        return None
    keys, total, facets = database.database_keys(query, user)
    return Matches(
        keys=keys, total=total, facets=facets, source="database", fallback=engine is not None
    )


def suggest(text, user):
    """Titles for autocomplete: [{"title", "url", "type"}]."""
    engine = get_engine()
    if engine is not None:
        try:
            response = engine.search(alias_name(), queries.suggest_body(text, user))
            return [
                {
                    "title": hit["_source"]["title"],
                    "url": hit["_source"]["url"],
                    "type": hit["_source"]["doc_type"],
                }
                for hit in response["hits"]["hits"]
            ]
        except EngineUnavailable as exc:
            _engine_fault("suggest", exc)
    return database.database_suggest(text, user)


def related(key, user):
    """Items like the one with ``key`` that ``user`` may see: [{"title", "url", "type", ...}]."""
    entry = SearchEntry.objects.filter(key=key, removed=False).first()
    if entry is None:
        return []
    engine = get_engine()
    if engine is not None:
        try:
            response = engine.search(
                alias_name(), queries.related_body(key, user, doc_type=entry.doc_type)
            )
            return [
                {
                    "title": hit["_source"]["title"],
                    "url": hit["_source"]["url"],
                    "type": hit["_source"]["doc_type"],
                    "summary": hit["_source"].get("summary", ""),
                }
                for hit in response["hits"]["hits"]
            ]
        except EngineUnavailable as exc:
            _engine_fault("related", exc)
    return database.database_related(entry, user)
