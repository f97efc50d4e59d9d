"""What a search asks for, and the engine bodies that ask it (built with elasticsearch.dsl).

Every body carries ``permissions.permission_filter`` inside its ``bool.filter``: results, facet
counts, suggestions and related items are all drawn from what the user may see.
"""

import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from elasticsearch.dsl import Q, Search

from .documents import UNSUGGESTED_TYPES
from .index import alias_name
from .permissions import permission_filter


@dataclass(frozen=True)
class Facet:
    name: str  # the query-string parameter
    field: str  # the SearchEntry field and engine field
    label: str


FACETS = [
    Facet("type", "doc_type", "Content type"),
    Facet("topic", "topics", "Topic"),
    Facet("does_it_work", "does_it_work", "Does it work?"),
    Facet("evidence_stage", "evidence_stage", "Evidence stage"),
    Facet("organisation_kind", "organisation_kind", "Organisation kind"),
    Facet("organisation", "organisation", "Organisation"),
    Facet("year", "year", "Year"),
]
FACETS_BY_NAME = {facet.name: facet for facet in FACETS}

# Titles and topics weigh more than the summary, and the summary more than the body; what an
# item inherits from its parent (a briefing's title and topics, for its recommendations) least.
TEXT_FIELDS = ["title^4", "topic_names^3", "summary^2", "body", "inherited_text^0.5"]
# Words that carry no meaning in a query; the analyser drops them too.
STOP_WORDS = {"a", "an", "and", "are", "as", "at", "by", "for", "in", "is", "of", "on", "or"}
STOP_WORDS |= {"the", "to", "with", "what", "how", "does", "do", "it", "be", "from"}
SORTS = {"relevance": "Relevance", "date": "Most recent"}


@dataclass(frozen=True)
class SortKey:
    field: str  # the SearchEntry field, or SCORE
    descending: bool = False
    engine_field: str = ""  # the engine's field when it differs (a keyword beside a text field)

    @property
    def in_engine(self):
        return self.engine_field or self.field


SCORE = "score"
# The orders a listing (such as the practice library) may ask for with ``SearchQuery.sort``,
# page by page, on the engine and on the database alike. Every order ends with the object's
# primary key, so that no two matches tie and a page never repeats or skips one. Missing values
# come last on every backend.
_TITLE = SortKey("title", engine_field="title.sort")
LISTING_ORDERS = {
    "relevance": (SortKey(SCORE, True), SortKey("date", True), SortKey("object_id")),
    "newest": (SortKey("published_at", True), SortKey("object_id", True)),
    "title": (_TITLE, SortKey("object_id")),
    "rank": (SortKey("listing_rank", True), _TITLE, SortKey("object_id")),
}
PER_PAGE = 20
MAX_RESULTS = 10_000
SNIPPET_LENGTH = 160
SUGGESTION_COUNT = 8
# Values counted per facet (there are fewer organisations than this), and the prefix of the
# aggregations that group facets counted under the same filters.
FACET_SIZE = 100
FACET_GROUP_PREFIX = "under:"
RELATED_COUNT = 5


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    filters: dict = field(default_factory=dict)  # facet name -> tuple of selected values
    sort: str = "relevance"
    page: int = 1
    per_page: int = PER_PAGE
    # Only the items within this parent (a briefing's key): "N more from this briefing".
    within: str = ""

    @property
    def offset(self):
        return (self.page - 1) * self.per_page

    def selected(self, facet_name):
        return self.filters.get(facet_name, ())

    def without(self, facet_name, value):
        """The same search with one filter value removed (for "remove this filter" links)."""
        filters = {
            name: tuple(v for v in values if not (name == facet_name and str(v) == str(value)))
            for name, values in self.filters.items()
        }
        return SearchQuery(
            self.text, {k: v for k, v in filters.items() if v}, self.sort, within=self.within
        )

    def within_parent(self, parent_key):
        """The same search among the items within ``parent_key`` only, from its first page."""
        return SearchQuery(self.text, self.filters, self.sort, within=parent_key)

    def querystring(self):
        pairs = [("q", self.text)] if self.text else []
        for name, values in self.filters.items():
            pairs += [(name, value) for value in values]
        if self.within:
            pairs.append(("within", self.within))
        if self.sort != "relevance":
            pairs.append(("sort", self.sort))
        return urlencode(pairs)


def parse_text(text):
    """Split ``text`` into quoted phrases and the remaining words."""
    phrases = [p.strip() for p in re.findall(r'"([^"]*)"', text) if p.strip()]
    rest = re.sub(r'"[^"]*"?', " ", text)
    words = [w for w in re.split(r"\s+", rest) if w]
    return phrases, words


def text_query(text):
    phrases, words = parse_text(text)
    must, should = [], []
    if words:
        # One clause per word, each free to match in any field (as cross_fields would) and
        # each typo-tolerant (which cross_fields is not); most words must match.
        terms = [w for w in words if w.lower() not in STOP_WORDS] or words
        must.append(
            Q(
                "bool",
                should=[
                    Q(
                        "multi_match",
                        query=term,
                        fields=TEXT_FIELDS,
                        type="best_fields",
                        fuzziness="AUTO",
                        prefix_length=1,
                        tie_breaker=0.3,
                    )
                    for term in terms
                ],
                minimum_should_match="2<75%",
            )
        )
        # Exact wording in a title or topic beats a near miss.
        should.append(
            Q(
                "multi_match",
                query=" ".join(words),
                fields=["title^4", "topic_names^2"],
                type="phrase",
            )
        )
    must += [Q("multi_match", query=p, fields=TEXT_FIELDS, type="phrase") for p in phrases]
    if not must:
        return Q("match_all")
    return Q("bool", must=must, should=should)


def facet_filter(facet, values):
    return Q("terms", **{facet.field: list(values)})


def selected_filters(query):
    """{facet name: its filter} for each facet the reader chose values of."""
    return {
        facet.name: facet_filter(facet, query.selected(facet.name))
        for facet in FACETS
        if query.selected(facet.name)
    }


def _faceted_search(query, user):
    """The matches the user may see, narrowed by the chosen filters, with every facet counted."""
    selected = selected_filters(query)
    scope = [permission_filter(user)]
    if query.within:
        scope.append(Q("term", parent_key=query.within))
    s = Search().query(Q("bool", must=[text_query(query.text)], filter=scope))
    if selected:
        # Filters narrow the results after the facets are counted...
        s = s.post_filter(Q("bool", filter=list(selected.values())))
    # ...and each facet is counted under every filter but its own, so its other values keep
    # their counts when one is chosen. Facets counted under the same filters share one "filter"
    # aggregation, and those counted under none need none: a filter aggregation tests every
    # match against its filter, and seven of them (one per facet, even when they matched all)
    # were about half of a search's time at 100,000 documents (docs/performance.md).
    groups = {}
    for facet in FACETS:
        others = tuple(name for name in selected if name != facet.name)
        groups.setdefault(others, []).append(facet)
    for others, facets in groups.items():
        parent = s.aggs
        if others:
            parent = s.aggs.bucket(
                FACET_GROUP_PREFIX + ",".join(others),
                "filter",
                filter=Q("bool", filter=[selected[name] for name in others]),
            )
        for facet in facets:
            parent.bucket(facet.name, "terms", field=facet.field, size=FACET_SIZE)
    return s


def facet_buckets(aggregations):
    """{facet name: [(value as a string, count)]} from the aggregations of ``_faceted_search``."""
    found = {}

    def read(level):
        for name, aggregation in level.items():
            if name.startswith(FACET_GROUP_PREFIX):
                read(aggregation)
            elif name in FACETS_BY_NAME:
                found[name] = [(str(b["key"]), b["doc_count"]) for b in aggregation["buckets"]]

    read(aggregations)
    return {facet.name: found.get(facet.name, []) for facet in FACETS}


def search_body(query, user):
    s = _faceted_search(query, user)
    # The snippet is the summary's best fragment, else the body's (``selectors._engine_hit``);
    # titles are shown as they are, so they are not highlighted. The unified highlighter's
    # "sentence" scanner, given a fragment size, splits a longer sentence at word boundaries, so
    # a fragment never starts or ends mid-word. It is the default, named here because "word",
    # which sounds right, ignores the fragment size and returns the matched word alone.
    s = s.highlight("summary", "body", fragment_size=SNIPPET_LENGTH, number_of_fragments=1)
    s = s.highlight_options(
        pre_tags=["<mark>"],
        post_tags=["</mark>"],
        encoder="html",
        type="unified",
        boundary_scanner="sentence",
    )
    if query.sort == "date" or not query.text.strip():
        s = s.sort({"date": {"order": "desc", "missing": "_last"}}, "_score")
    s = s.source(excludes=["body"])
    s = s.extra(track_total_hits=True)
    return s[query.offset : query.offset + query.per_page].to_dict()


def counts_within_body(query, user, parent_keys):
    """How many of the matches under ``query``'s filters each of ``parent_keys`` holds."""
    scope = [permission_filter(user), Q("terms", parent_key=list(parent_keys))]
    s = Search().query(
        Q(
            "bool",
            must=[text_query(query.text)],
            filter=[*scope, *selected_filters(query).values()],
        )
    )
    s.aggs.bucket("within", "terms", field="parent_key", size=len(parent_keys))
    return s.extra(size=0, track_total_hits=False).to_dict()


def listing_order(query):
    """The ``LISTING_ORDERS`` order ``query.sort`` names (by relevance only with words to rank
    by; else newest first)."""
    if query.sort == "relevance" and not query.text.strip():
        return LISTING_ORDERS["newest"]
    return LISTING_ORDERS.get(query.sort, LISTING_ORDERS["relevance"])


def engine_sort(order):
    return [
        {"_score": {"order": "desc"}}
        if key.field == SCORE
        else {key.in_engine: {"order": "desc" if key.descending else "asc", "missing": "_last"}}
        for key in order
    ]


def keys_body(query, user):
    """One page of the matches' keys in ``listing_order(query)``, their total and the facets,
    for pages that list the matches themselves, such as the practice library."""
    s = _faceted_search(query, user).source(False)
    s = s.sort(*engine_sort(listing_order(query)))
    # The key from its column (doc values), not from the stored document: reading ``_id`` would
    # decompress each match's stored source, body and all (docs/performance.md).
    s = s.extra(track_total_hits=True, stored_fields="_none_", docvalue_fields=["key"])
    return s[query.offset : query.offset + query.per_page].to_dict()


# Only what ``selectors.find`` reads of a keys_body answer.
KEYS_FILTER_PATH = "hits.total,hits.hits.fields.key,aggregations"


def suggest_body(text, user):
    s = Search().query(
        Q(
            "bool",
            must=[
                Q(
                    "multi_match",
                    query=text,
                    type="bool_prefix",
                    fields=["suggest", "suggest._2gram", "suggest._3gram"],
                )
            ],
            filter=[permission_filter(user)],
            must_not=[Q("terms", doc_type=UNSUGGESTED_TYPES)],
        )
    )
    return s.source(["title", "url", "doc_type"])[:SUGGESTION_COUNT].to_dict()


def spelling_body(text, user):
    """Titles close to ``text`` among those the user may see, to offer "did you mean"."""
    s = Search().query(
        Q(
            "bool",
            must=[Q("match", title={"query": text, "fuzziness": 2})],
            filter=[permission_filter(user)],
        )
    )
    return s.source(["title"])[:10].to_dict()


def related_body(key, user, doc_type="practice"):
    s = Search().query(
        Q(
            "bool",
            must=[
                Q(
                    "more_like_this",
                    fields=["title", "summary", "body", "topic_names"],
                    like=[{"_index": alias_name(), "_id": key}],
                    min_term_freq=1,
                    min_doc_freq=1,
                    max_query_terms=25,
                )
            ],
            filter=[permission_filter(user), Q("term", doc_type=doc_type)],
        )
    )
    return s.source(["title", "url", "doc_type", "summary"])[:RELATED_COUNT].to_dict()
