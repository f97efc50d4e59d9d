"""Search on the database: the same questions as the engine's, asked of SearchEntry rows.

Used when no engine is configured, and when the engine is down. Matching is by words and
quoted phrases, ranked by where they match (title, topics, summary, body); facets are counted
in SQL, each under every filter but its own.

On PostgreSQL the words are matched with its full-text search: the English stemmer, the
generated, GIN-indexed ``SearchEntry.search_vector`` (title, topics, summary and body weighted
A to D, inherited words D too), ranked by ``ts_rank``; "did you mean" comes from trigram
similarity (``pg_trgm``) over the titles. A search reads its matches once
(``read_in_one_pass``): the page, the total and every facet come from one query, then the page's
rows by primary key. Elsewhere (SQLite, for ``make run``) the words are roughly stemmed and
matched with ``icontains``: correct, not fast. Words an item inherits from its parent (a
recommendation's briefing) weigh least everywhere (``FIELD_WEIGHTS``)."""

import difflib
import operator
import re
from functools import reduce

from django.contrib.postgres import search as postgres
from django.contrib.postgres.lookups import TrigramWordSimilar
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    Value,
    When,
)
from django.db.models.functions import Upper
from django.utils.html import escape
from django.utils.safestring import mark_safe

from kx_site.audience import visible_to

from .documents import UNSUGGESTED_TYPES
from .models import SearchEntry
from .queries import (
    FACETS,
    RELATED_COUNT,
    SCORE,
    SNIPPET_LENGTH,
    STOP_WORDS,
    SUGGESTION_COUNT,
    listing_order,
    parse_text,
)
from .registry import all_facet_values
from .results import Hit, SearchResults

# As the engine's boosts (``queries.TEXT_FIELDS``), doubled to stay whole numbers.
FIELD_WEIGHTS = {"title": 8, "topic_names": 6, "summary": 4, "body": 2, "inherited_text": 1}
# ``ts_rank``'s weights for the vector's D, C, B and A parts (body, summary, topics, title).
RANK_WEIGHTS = [0.1, 0.2, 0.4, 1.0]
TEXT_SEARCH_CONFIG = "english"
SPELLING_CANDIDATES = 10


def full_text_search():
    """Whether the database has full-text search (PostgreSQL) rather than only ``icontains``."""
    return connection.vendor == "postgresql"


def stem(word):
    """A rough English stem, enough for ``icontains`` to find "visit" in "visits"/"visiting"."""
    word = word.lower()
    for suffix, keep in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + keep
    return word


def search_terms(text):
    phrases, words = parse_text(text)
    words = [re.sub(r"[^\w'-]", "", w) for w in words]
    terms = [stem(w) for w in words if w and w.lower() not in STOP_WORDS]
    return list(dict.fromkeys(terms + phrases))


def visible_entries(user):
    """The entries ``user`` may see, filtered by a WHERE on the entries' own columns and one
    uncorrelated subquery on the organisations' link table (``visible_to``'s shape), which the
    database reads once (a hashed subplan). Wrapped as ``pk IN (...)`` around a join with
    DISTINCT, the planner could not estimate it and ran a nested loop over it for every matching
    row, which grows with the square of the data."""
    return visible_to(SearchEntry.objects.filter(removed=False), user)


def text_query(text):
    """The words of ``text`` (stemmed, all required) and its quoted phrases as one tsquery, or
    None if nothing is left to match once the stop words are gone."""
    phrases, words = parse_text(text)
    words = [re.sub(r"[^\w'-]", "", w) for w in words]
    words = [w for w in words if w and w.lower() not in STOP_WORDS]
    config = TEXT_SEARCH_CONFIG
    parts = [postgres.SearchQuery(" ".join(words), config=config)] if words else []
    parts += [postgres.SearchQuery(p, config=config, search_type="phrase") for p in phrases]
    if not parts:
        return None
    combined = parts[0]
    for part in parts[1:]:
        combined &= part
    return combined


def term_matches(term):
    q = Q()
    for field in FIELD_WEIGHTS:
        q |= Q(**{f"{field}__icontains": term})
    return q


def score(terms):
    total = Value(0, output_field=IntegerField())
    for term in terms:
        for field, weight in FIELD_WEIGHTS.items():
            total = total + Case(
                When(**{f"{field}__icontains": term}, then=Value(weight)),
                default=Value(0),
                output_field=IntegerField(),
            )
    return total


def facet_q(facet, values):
    if facet.name == "topic":
        q = Q()
        for value in values:
            q |= Q(topics__contains=f",{value},")
        return q
    return Q(**{f"{facet.field}__in": values})


def snippet(entry, terms):
    """About SNIPPET_LENGTH characters of whole words around the first match, escaped, matches
    marked, with "…" wherever text was left out."""
    for source in (entry.summary, entry.body):
        found = [m for t in terms if (m := re.search(re.escape(t), source, re.IGNORECASE))]
        if found:
            first = min(found, key=lambda m: m.start())
            text = words_around(source, first.start(), first.end())
            break
    else:
        # Nothing matched literally (a stem the text does not contain): the summary's opening.
        opening = re.search(r"\S+", entry.summary)
        text = words_around(entry.summary, *opening.span()) if opening else ""
    html = escape(text)
    for term in sorted(terms, key=len, reverse=True):
        html = re.sub(
            f"({re.escape(escape(term))})", r"<mark>\1</mark>", html, flags=re.IGNORECASE
        )
    return mark_safe(html)  # built from escaped text above


def words_around(text, match_start, match_end):
    """The whole words of ``text`` around ``text[match_start:match_end]`` that fit in
    SNIPPET_LENGTH characters, with "…" where text was left out.

    Up to a third of the window goes before the match and the rest after it; when the text ends
    first, more goes before. A word is a run of non-space characters, punctuation included, so a
    cut never falls inside one (the snippets read "…n: give both…"). Only a matched word longer
    than the window itself is cut, around the match, since no whole word would fit.
    """
    # Only words within a window's length of the match can be shown: find no others in a long body.
    low = max(0, match_start - SNIPPET_LENGTH)
    high = min(len(text), match_end + SNIPPET_LENGTH)
    words = [(low + w.start(), low + w.end()) for w in re.finditer(r"\S+", text[low:high])]
    # A word cut by the region's edges is not whole.
    if words and words[0][0] == low > 0 and not text[low - 1].isspace():
        words.pop(0)
    if words and words[-1][1] == high < len(text) and not text[high].isspace():
        words.pop()
    matched = [
        i for i, (start, end) in enumerate(words) if start < match_end and end > match_start
    ]
    if matched and words[matched[-1]][1] - words[matched[0]][0] <= SNIPPET_LENGTH:
        first, last = matched[0], matched[-1]

        def width(first, last):
            return words[last][1] - words[first][0]

        while first > 0 and (
            match_start - words[first - 1][0] <= SNIPPET_LENGTH // 3
            and width(first - 1, last) <= SNIPPET_LENGTH
        ):
            first -= 1
        while last + 1 < len(words) and width(first, last + 1) <= SNIPPET_LENGTH:
            last += 1
        while first > 0 and width(first - 1, last) <= SNIPPET_LENGTH:
            first -= 1
        start, end = words[first][0], words[last][1]
    else:
        start = max(0, match_start - SNIPPET_LENGTH // 3)
        end = max(start + SNIPPET_LENGTH, match_end)
    before = "…" if text[:start].strip() else ""
    after = "…" if text[end:].strip() else ""
    return before + text[start:end] + after


class _Matching:
    """The entries the user may see that match ``query``'s text, and its chosen filters;
    ``ordered`` as the search page sorts them, or in a listing's ``order`` (SortKeys)."""

    def __init__(self, query, user, order=None):
        # The stemmed words and phrases also mark the matches in the snippets.
        self.terms = search_terms(query.text)
        base = visible_entries(user)
        if query.within:
            base = base.filter(parent_key=query.within)
        rank = None
        if full_text_search():
            matching = text_query(query.text) if self.terms else None
            if matching is not None:
                base = base.filter(search_vector=matching)
                rank = postgres.SearchRank(F("search_vector"), matching, weights=RANK_WEIGHTS)
        else:
            for term in self.terms:
                base = base.filter(term_matches(term))
            rank = score(self.terms) if self.terms else None
        self.base = base
        self.selected = {
            facet.name: facet_q(facet, query.selected(facet.name))
            for facet in FACETS
            if query.selected(facet.name)
        }
        self.results = base.filter(*self.selected.values())
        if order is not None:
            # Ranked only when the order asks for it, and only with words to rank by.
            wants_rank = any(key.field == SCORE for key in order)
            self.rank = rank if wants_rank else None
            self.order = [key for key in order if key.field != SCORE or self.rank is not None]
            results = self.results.annotate(score=rank) if self.rank is not None else self.results
            self.ordered = results.order_by(
                *(
                    F(key.field).desc(nulls_last=True)
                    if key.descending
                    else F(key.field).asc(nulls_last=True)
                    for key in self.order
                )
            )
            return
        self.order = None
        # Best first when there are words to rank by, else the newest first.
        self.rank = rank if query.sort != "date" else None
        if self.rank is not None:
            self.ordered = self.results.annotate(score=rank).order_by("-score", "-date", "pk")
        else:
            self.ordered = self.results.order_by("-date", "pk")

    def total_and_facets(self):
        """How many results, and each facet counted under every chosen filter but its own."""
        if full_text_search():
            return counted_in_one_pass(self)
        return self.results.count(), self.facets()

    def facets(self):
        """Each facet counted under every chosen filter but its own."""
        return {
            facet.name: count_facet(
                facet,
                self.base.filter(*[q for name, q in self.selected.items() if name != facet.name]),
            )
            for facet in FACETS
        }


def database_search(query, user):
    matching = _Matching(query, user)
    terms = matching.terms
    if full_text_search():
        # The page's ids, the total and the facets from one reading of the matches, then the
        # page's twenty rows by primary key.
        ids, total, facets = read_in_one_pass(
            matching, page_column="id", limit=query.per_page, offset=query.offset
        )
        by_id = SearchEntry.objects.in_bulk(ids)
        entries = [by_id[pk] for pk in ids]
    else:
        window = matching.ordered.defer("body") if not terms else matching.ordered
        entries = list(window[query.offset : query.offset + query.per_page])
        total, facets = matching.total_and_facets()
    hits = [
        Hit(
            key=e.key,
            doc_type=e.doc_type,
            title=e.title,
            url=e.url,
            summary=e.summary,
            highlight=snippet(e, terms) if terms else escape(e.summary[:SNIPPET_LENGTH]),
            date=e.date,
            parent_key=e.parent_key,
        )
        for e in entries
    ]
    return SearchResults(total=total, hits=hits, facets=facets, source="database")


def database_keys(query, user):
    """One page of the matches' keys in ``queries.listing_order(query)``, their total and the
    facets, as the engine's ``keys_body``."""
    matching = _Matching(query, user, order=listing_order(query))
    if full_text_search():
        return read_in_one_pass(
            matching, page_column="key", limit=query.per_page, offset=query.offset
        )
    page = matching.ordered[query.offset : query.offset + query.per_page]
    total, facets = matching.total_and_facets()
    return list(page.values_list("key", flat=True)), total, facets


def database_counts_within(query, user, parent_keys):
    """{parent key: how many matches under ``query``'s filters it holds}, as the engine's."""
    rows = (
        _Matching(query, user)
        .results.filter(parent_key__in=parent_keys)
        .values_list("parent_key")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return dict(rows)


def counted_in_one_pass(matching):
    """``_Matching.total_and_facets`` on PostgreSQL: the total and the facets in one query."""
    _page, total, facets = read_in_one_pass(matching)
    return total, facets


# The facets counted together in one grouping of the matches (GROUPING SETS): each grouping is
# a hash table every match is added to, so a few groupings of several facets cost less than one
# per facet; the values of a grouping's facets combine into at most a few thousand groups.
FACET_GROUPINGS = [
    ("type",),
    ("year",),
    ("topic",),
    ("does_it_work", "evidence_stage", "organisation_kind", "organisation"),
]


def read_in_one_pass(matching, *, page_column="id", limit=0, offset=0):
    """A page of the results (``page_column`` of each, in order), their total and the facets,
    from one query that reads the matching entries once (PostgreSQL).

    A common word matches most of the index, and reading those rows (and ranking them) is the
    cost: counting them is nothing. So the matches are read once into a materialised CTE with
    their rank, their facet values and whether each chosen filter holds. The page is the top of
    that CTE under every filter; the counts come from one GROUPING SETS aggregation over it
    (``FACET_GROUPINGS``) with a count under each facet's condition, every chosen filter but its
    own (``COUNT(*) FILTER``), added up here per facet value. Topics are grouped by their
    ``,a,b,`` string and split here. The same counts as ``facets()``, which asks once per facet.
    """
    flags = {f"chosen_{name}": q for name, q in matching.selected.items()}
    by_name = {facet.name: facet for facet in FACETS}
    fields = [facet.field for facet in FACETS]
    rows = matching.base.annotate(
        **{flag: ExpressionWrapper(q, output_field=BooleanField()) for flag, q in flags.items()}
    )
    if len(flags) > 1:
        # Every count is under all the chosen filters but at most one, so a match that fails
        # two is never counted: leave it out (the cheap filters are tested before the words).
        rows = rows.filter(
            reduce(
                operator.or_,
                (
                    Q(*(q for other, q in matching.selected.items() if other != name))
                    for name in matching.selected
                ),
            )
        )
    ranked = matching.rank is not None
    if ranked:
        # Ranked only where it may be on the page (under every filter): ranking reads the whole
        # vector, and a filtered search counts many more matches than it shows.
        score = matching.rank
        if flags:
            score = Case(When(Q(*matching.selected.values()), then=score), default=None)
        rows = rows.annotate(score=score)
    page_columns = {"id", "date", page_column} | ({"score"} if ranked else set())
    if matching.order is not None:
        page_columns |= {key.field for key in matching.order if key.field != SCORE}
    rows = rows.values(*sorted(page_columns), *fields, *flags)
    rows_sql, params = rows.query.sql_with_params()

    def under(but=None):
        conditions = [flag for flag in flags if flag != f"chosen_{but}"]
        return " AND ".join(conditions) or "TRUE"

    # One count per distinct condition: the total's (every filter) and each facet's.
    conditions = list(dict.fromkeys([under(), *(under(facet.name) for facet in FACETS)]))
    column = {f.name: 1 + len(fields) + conditions.index(under(f.name)) for f in FACETS}
    counted = ", ".join(f"COUNT(*) FILTER (WHERE {condition})" for condition in conditions)
    grouping_sets = ", ".join(
        "(" + ", ".join(by_name[name].field for name in names) + ")" for names in FACET_GROUPINGS
    )
    # GROUPING(...) tells the groupings apart: a bit per field, set when not grouped by it.
    sql = (
        f"WITH matches AS MATERIALIZED ({rows_sql}) "
        f"SELECT GROUPING({', '.join(fields)}), {', '.join(fields)}, {counted} "
        f"FROM matches GROUP BY GROUPING SETS ({grouping_sets})"
    )
    if limit:
        # The page's rows after the counts, in order (row_number() over the ordered page), in
        # the same columns: a GROUPING no grouping has, the value first, its position last.
        if matching.order is not None:
            order = ", ".join(
                f"{key.field} {'DESC' if key.descending else 'ASC'} NULLS LAST"
                for key in matching.order
            )
        else:
            order = "score DESC, date DESC, id" if ranked else "date DESC, id"
        padding = ", ".join(["NULL"] * (len(fields) - 1 + len(conditions) - 1))
        sql += (
            f" UNION ALL SELECT -1, {page_column}::text, {padding}, row_number() OVER () "
            f"FROM (SELECT {page_column} FROM matches WHERE {under()} ORDER BY {order} "
            "LIMIT %s OFFSET %s) AS page"
        )
        params = (*params, limit, offset)
    grouped_by = {}
    for names in FACET_GROUPINGS:
        mask = sum(
            1 << (len(fields) - 1 - i) for i, facet in enumerate(FACETS) if facet.name not in names
        )
        grouped_by[mask] = names
    position = {facet.name: 1 + i for i, facet in enumerate(FACETS)}
    total_column = 1 + len(fields)
    topics = set(all_facet_values("topic"))
    counts = {facet.name: {} for facet in FACETS}
    page, total = [], 0
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for row in cursor.fetchall():
            if row[0] == -1:
                page.append((row[-1], row[1]))
                continue
            names = grouped_by[row[0]]
            if names == FACET_GROUPINGS[0]:
                total += row[total_column]  # each match is in exactly one group of these
            for name in names:
                value, n = row[position[name]], row[column[name]]
                if name == "topic":
                    # As ``count_facet``: only topics that exist are counted.
                    slugs = [slug for slug in (value or "").split(",") if slug in topics]
                else:
                    slugs = [] if value in (None, "") else [str(value)]
                for slug in slugs:
                    counts[name][slug] = counts[name].get(slug, 0) + n
    facets = {
        name: sorted(((v, n) for v, n in pairs.items() if n), key=lambda p: (-p[1], p[0]))
        for name, pairs in counts.items()
    }
    values = [value for _position, value in sorted(page)]
    if page_column == "id":
        values = [int(value) for value in values]
    return values, total, facets


def count_facet(facet, scope):
    if facet.name == "topic":
        slugs = all_facet_values("topic")
        if not slugs:
            return []
        counts = scope.aggregate(
            **{
                f"topic_{i}": Count("pk", filter=Q(topics__contains=f",{slug},"))
                for i, slug in enumerate(slugs)
            }
        )
        pairs = [(slug, counts[f"topic_{i}"]) for i, slug in enumerate(slugs)]
    else:
        present = scope.exclude(**{f"{facet.field}__isnull": True})
        if facet.name != "year":
            present = present.exclude(**{facet.field: ""})
        rows = present.values_list(facet.field).annotate(n=Count("pk")).order_by()
        pairs = [(str(value), n) for value, n in rows]
    return sorted(((v, n) for v, n in pairs if n), key=lambda pair: (-pair[1], pair[0]))


def database_suggest(text, user):
    entries = (
        visible_entries(user)
        .filter(title__icontains=text.strip())
        .exclude(doc_type__in=UNSUGGESTED_TYPES)
        .order_by("-date")
    )
    return [
        {"title": e.title, "url": e.url, "type": e.doc_type}
        for e in entries.only("title", "url", "doc_type")[:SUGGESTION_COUNT]
    ]


def database_spelling(text, user):
    if full_text_search():
        # The titles nearest the text by trigrams (any typo-tolerant neighbour, found through
        # the trigram index on UPPER(title)), as the engine offers its fuzzy title matches.
        text = text.replace('"', " ").strip()
        titles = (
            visible_entries(user)
            .filter(TrigramWordSimilar(Upper("title"), Upper(Value(text))))
            .annotate(similarity=postgres.TrigramWordSimilarity(Value(text), "title"))
            .order_by("-similarity", "-date")
            .values_list("title", flat=True)[:SPELLING_CANDIDATES]
        )
    else:
        titles = visible_entries(user).order_by("-date").values_list("title", flat=True)[:2000]
    return spelling_from_titles(text, titles)


def spelling_from_titles(text, titles):
    """The text with each word swapped for the closest word in ``titles``, or None."""
    vocabulary = {w.lower() for title in titles for w in re.findall(r"[A-Za-z][\w'-]+", title)}
    words = re.findall(r"\S+", text.replace('"', " "))
    corrected = []
    for word in words:
        if word.lower() in vocabulary or word.lower() in STOP_WORDS:
            corrected.append(word)
            continue
        close = difflib.get_close_matches(word.lower(), vocabulary, n=1, cutoff=0.75)
        corrected.append(close[0] if close else word)
    suggestion = " ".join(corrected)
    return suggestion if suggestion.lower() != " ".join(words).lower() else None


def database_related(entry, user):
    slugs = entry.topic_slugs
    candidates = visible_entries(user).filter(doc_type=entry.doc_type).exclude(pk=entry.pk)
    if not slugs:
        return []
    shared = Value(0, output_field=IntegerField())
    any_topic = Q()
    for slug in slugs:
        shared = shared + Case(
            When(topics__contains=f",{slug},", then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
        any_topic |= Q(topics__contains=f",{slug},")
    related = (
        candidates.filter(any_topic)
        .annotate(shared=shared)
        .order_by("-shared", "-date")
        .only("title", "url", "doc_type", "summary")[:RELATED_COUNT]
    )
    return [
        {"title": e.title, "url": e.url, "type": e.doc_type, "summary": e.summary} for e in related
    ]
