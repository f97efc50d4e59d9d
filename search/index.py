"""The engine's index: its mapping, and the alias that search reads through.

Search always reads the alias ``settings.SEARCH_INDEX``; ``search_index --rebuild`` fills a new
versioned index (``<alias>-<timestamp>``) and then moves the alias onto it in one step. While it
fills, a second alias, ``<alias>-rebuild``, points to it: every process that writes to the index
sees from the engine itself that a rebuild is under way (see ``services.search_engine_sync``).
"""

import re

from django.conf import settings
from django.utils import timezone
from elasticsearch.dsl import (
    Date,
    Index,
    Integer,
    Keyword,
    Long,
    Mapping,
    SearchAsYouType,
    Text,
    analyzer,
    token_filter,
)

english = analyzer(
    "kx_english",
    tokenizer="standard",
    filter=[
        token_filter("kx_possessive", "stemmer", language="possessive_english"),
        "lowercase",
        "asciifolding",
        token_filter("kx_stop", "stop", stopwords="_english_"),
        token_filter("kx_stemmer", "stemmer", language="english"),
    ],
)


def mapping():
    m = Mapping()
    # Text fields that people search, titles and topics weighted in the queries (``queries.py``).
    # Those highlighted keep each word's offsets in the index, so the highlighter reads where
    # the words are instead of analysing each result's text again (with long bodies, a large
    # part of a search's time: docs/performance.md).
    for name in ("summary", "body"):
        m.field(name, Text(analyzer=english, index_options="offsets"))
    # The title's exact text too, for listings sorted by title (``queries.LISTING_ORDERS``).
    m.field("title", Text(analyzer=english, fields={"sort": Keyword()}))
    for name in ("topic_names", "inherited_text"):
        m.field(name, Text(analyzer=english))
    m.field("suggest", SearchAsYouType())
    # Facets and filters. The facets' value tables (global ordinals) are built when the index
    # refreshes, not by the first search after each refresh.
    m.field("key", Keyword())
    # A recommendation's briefing: to count and list the matches within one (``within``).
    m.field("parent_key", Keyword())
    for name in ("doc_type", "topics", "does_it_work", "evidence_stage"):
        m.field(name, Keyword(eager_global_ordinals=True))
    m.field("organisation_kind", Keyword(eager_global_ordinals=True))
    m.field("organisation", Keyword(eager_global_ordinals=True))
    m.field("year", Integer())
    m.field("date", Date())
    # Listings' sort fields (``SearchEntry.object_id``): adding them needs a rebuild.
    m.field("object_id", Long())
    m.field("published_at", Date())
    m.field("listing_rank", Integer())
    m.field("indexed_at", Date())
    m.field("url", Keyword(index=False))
    # Who may see it: the permission filter (``permissions.py``) reads these.
    m.field("audience", Keyword())
    m.field("restricted_kinds", Keyword())
    m.field("restricted_organisations", Integer())
    m.field("marking", Keyword())
    return m


def index_body(name="unused", *, aliases=()):
    index = Index(name)
    # One replica as soon as the cluster has a second node (a node can then be lost without
    # losing search); none on a single node, which could never place it.
    index.settings(number_of_shards=1, auto_expand_replicas="0-1")
    index.mapping(mapping())
    for alias in aliases:
        index.aliases(**{alias: {}})
    return index.to_dict()


def alias_name():
    return settings.SEARCH_INDEX


def rebuild_alias_name(alias=None):
    """The alias that marks the index a rebuild is filling."""
    return f"{alias or alias_name()}-rebuild"


def new_index_name(alias=None):
    return f"{alias or alias_name()}-{timezone.now():%Y%m%d%H%M%S%f}"


def is_versioned_index(name, alias=None):
    """Whether ``name`` is one of the versioned indexes ``new_index_name`` makes for the alias
    (and not another alias's that merely shares the prefix, such as ``kx-staging-…``)."""
    return re.fullmatch(rf"{re.escape(alias or alias_name())}-\d{{20}}", name) is not None


def ensure_index(engine, alias=None):
    """Create a first versioned index behind the alias if there is none yet."""
    alias = alias or alias_name()
    if engine.alias_targets(alias):
        return
    name = new_index_name(alias)
    engine.create_index(name, index_body(name))
    engine.point_alias(alias, name)
