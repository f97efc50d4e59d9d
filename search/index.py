"""The engine's index: its mapping, and the alias that search reads through.

Search always reads the alias ``settings.SEARCH_INDEX``; ``search_index --rebuild`` fills a new
versioned index (``<alias>-<timestamp>``) and then moves the alias onto it in one step.
"""

from django.conf import settings
from django.utils import timezone
from elasticsearch.dsl import (
    Date,
    Index,
    Integer,
    Keyword,
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
    for name in ("title", "summary", "body", "topic_names"):
        m.field(name, Text(analyzer=english))
    m.field("suggest", SearchAsYouType())
    # Facets and filters.
    for name in ("key", "doc_type", "topics", "does_it_work", "evidence_stage"):
        m.field(name, Keyword())
    m.field("organisation_kind", Keyword())
    m.field("organisation", Keyword())
    m.field("year", Integer())
    m.field("date", Date())
    m.field("indexed_at", Date())
    m.field("url", Keyword(index=False))
    # Who may see it: the permission filter (``permissions.py``) reads these.
    m.field("audience", Keyword())
    m.field("restricted_kinds", Keyword())
    m.field("restricted_organisations", Integer())
    m.field("marking", Keyword())
    return m


def index_body(name="unused"):
    index = Index(name)
    index.settings(number_of_shards=1, number_of_replicas=0)
    index.mapping(mapping())
    return index.to_dict()


def alias_name():
    return settings.SEARCH_INDEX


def new_index_name(alias=None):
    return f"{alias or alias_name()}-{timezone.now():%Y%m%d%H%M%S%f}"


def ensure_index(engine, alias=None):
    """Create a first versioned index behind the alias if there is none yet."""
    alias = alias or alias_name()
    if engine.alias_targets(alias):
        return
    name = new_index_name(alias)
    engine.create_index(name, index_body(name))
    engine.point_alias(alias, name)
