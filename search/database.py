"""Search on the database: the same questions as the engine's, asked of SearchEntry rows.

Used when no engine is configured, and when the engine is down. Matching is by words (roughly
stemmed) and quoted phrases, ranked by where they match (title, topics, summary, body); facets
are counted in SQL, each under every filter but its own. No typo tolerance: the engine has it.
"""

import difflib
import re

from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.utils.html import escape
from django.utils.safestring import mark_safe

from kx_site.audience import visible_to

from .documents import UNSUGGESTED_TYPES
from .models import SearchEntry
from .queries import (
    FACETS,
    MAX_RESULTS,
    RELATED_COUNT,
    SNIPPET_LENGTH,
    STOP_WORDS,
    SUGGESTION_COUNT,
    parse_text,
)
from .results import Hit, SearchResults

FIELD_WEIGHTS = {"title": 4, "topic_names": 3, "summary": 2, "body": 1}


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
    visible = visible_to(SearchEntry.objects.all(), user).values("pk")
    return SearchEntry.objects.filter(removed=False, pk__in=visible)


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
    """About SNIPPET_LENGTH characters around the first match, escaped, matches marked."""
    text = entry.summary
    for source in (entry.summary, entry.body):
        lowered = source.lower()
        positions = [lowered.find(t.lower()) for t in terms if t.lower() in lowered]
        if positions:
            text = source
            start = max(0, min(positions) - SNIPPET_LENGTH // 3)
            text = ("…" if start else "") + source[start : start + SNIPPET_LENGTH]
            break
    else:
        text = text[:SNIPPET_LENGTH]
    html = escape(text)
    for term in sorted(terms, key=len, reverse=True):
        html = re.sub(
            f"({re.escape(escape(term))})", r"<mark>\1</mark>", html, flags=re.IGNORECASE
        )
    return mark_safe(html)  # built from escaped text above


class _Matching:
    """The entries the user may see that match ``query``'s text, and its chosen filters."""

    def __init__(self, query, user):
        self.terms = search_terms(query.text)
        base = visible_entries(user)
        for term in self.terms:
            base = base.filter(term_matches(term))
        self.base = base
        self.selected = {
            facet.name: facet_q(facet, query.selected(facet.name))
            for facet in FACETS
            if query.selected(facet.name)
        }
        self.results = base.filter(*self.selected.values())
        if self.terms and query.sort != "date":
            self.ordered = self.results.annotate(score=score(self.terms)).order_by(
                "-score", "-date", "pk"
            )
        else:
            self.ordered = self.results.order_by("-date", "pk")

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
    window = matching.ordered.defer("body") if not terms else matching.ordered
    entries = list(window[query.offset : query.offset + query.per_page])
    hits = [
        Hit(
            key=e.key,
            doc_type=e.doc_type,
            title=e.title,
            url=e.url,
            summary=e.summary,
            highlight=snippet(e, terms) if terms else escape(e.summary[:SNIPPET_LENGTH]),
            date=e.date,
        )
        for e in entries
    ]
    return SearchResults(
        total=matching.results.count(),
        hits=hits,
        facets=matching.facets(),
        source="database",
    )


def database_keys(query, user):
    """The keys of every match, best first (at most MAX_RESULTS), and the facets."""
    matching = _Matching(query, user)
    keys = list(matching.ordered.values_list("key", flat=True)[:MAX_RESULTS])
    return keys, matching.facets()


def count_facet(facet, scope):
    if facet.name == "topic":
        from practice_library.models import Topic

        slugs = list(Topic.objects.values_list("slug", flat=True))
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
