"""Reads for the practice library: the one place that filters, sorts and counts practices.

The library index calls ``practice_search``; views never filter practices themselves, so the
audience rules and the facet counts cannot drift apart.

Finding practices by their words, and listing them from a search engine, belong to the search
app. It offers a finder through the ``find_practices`` Wagtail hook, so the library does not
depend on it: given the library's sort and a page, the finder answers with a
``PracticeMatches`` (that page's practices, how many matched and the facet counts), or None
when this page's own SQL gives the same answer (no words to look for, and no engine to ask).
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, Q, Value, When
from wagtail import hooks

from kx_site.audience import visible_to
from kx_site.page_cache import remembered_for_reader

from .models import DOES_IT_WORK_RANK, EVIDENCE_RANK, PracticePage

FINDER_HOOK = "find_practices"
RELEVANCE = "relevance"
SORTS = {
    RELEVANCE: "Best match (when searching)",
    "newest": "Newest first",
    "title": "Title (A to Z)",
    "evidence": "Strongest evidence first",
}
DEFAULT_SORT = "newest"
PER_PAGE = 20


@dataclass
class PracticeResults:
    practices: object  # a QuerySet, or a RankedPractices when sorted by relevance
    # facet name -> {value: number of visible practices}; values are slugs or choice codes.
    facets: dict
    # The search engine failed, and the database answered in its place.
    fallback: bool = False


@dataclass
class PracticeMatches:
    """A finder's answer: one page of the matching practice ids in the order asked for, how
    many matched, and the facet counts (as ``PracticeResults.facets``), drawn only from what
    the user may see."""

    ids: list
    total: int
    facets: dict
    fallback: bool = False


class FoundPractices(Sequence):
    """What a finder found, as long as its total, read a page at a time: each slice (a page of
    the paginator) is asked of the finder, ``ask(page=, per_page=)``; the page already answered
    is kept."""

    def __init__(self, queryset, ask, *, per_page, page, found):
        self.queryset = queryset
        self.ask = ask
        self.per_page = per_page
        self.answers = {(page, per_page): found}
        self.total = found.total

    def __len__(self):
        return self.total

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        start, stop, _step = index.indices(self.total)
        if stop <= start:
            return []
        if start % self.per_page == 0 and stop - start <= self.per_page:
            asked, skip = (start // self.per_page + 1, self.per_page), 0
        else:
            asked, skip = (1, stop), start
        if asked not in self.answers:
            self.answers[asked] = self.ask(page=asked[0], per_page=asked[1])
        answer = self.answers[asked]
        ids = answer.ids[skip : skip + stop - start] if answer else []
        # The index may be a moment behind the pages: list only what the database still shows.
        by_pk = self.queryset.in_bulk(ids)
        return [by_pk[pk] for pk in ids if pk in by_pk]


def _page_number(page):
    try:
        return max(1, int(page))
    except (TypeError, ValueError):
        return 1


def _finder():
    finders = hooks.get_hooks(FINDER_HOOK)
    return finders[0] if finders else None


def _rank(field, ranks):
    return Case(
        *[When(**{field: value}, then=Value(rank)) for value, rank in ranks.items()],
        default=Value(0),
        output_field=IntegerField(),
    )


def _sorted(queryset, sort):
    if sort == "title":
        return queryset.order_by("title", "pk")
    if sort == "evidence":
        return queryset.annotate(
            evidence_order=_rank("evidence_stage", EVIDENCE_RANK),
            rating_order=_rank("does_it_work", DOES_IT_WORK_RANK),
        ).order_by("-evidence_order", "-rating_order", "title", "pk")
    return queryset.order_by("-first_published_at", "-pk")


def _counts(queryset, field):
    rows = queryset.order_by().values(field).annotate(total=Count("pk", distinct=True))
    return {row[field]: row["total"] for row in rows if row[field] is not None}


def practice_search(
    *,
    user,
    text="",
    topics=(),
    does_it_work=(),
    evidence_stages=(),
    organisation_kinds=(),
    organisation=None,
    sort=DEFAULT_SORT,
    page=1,
    per_page=PER_PAGE,
):
    """The live practices ``user`` may see that match ``text`` and every filter given, sorted.

    ``page`` is the page the reader asked for (as given: invalid means the first), which a
    finder answers first; ``practices`` may be paged by any paginator of ``per_page``.

    ``topics`` are topic slugs and ``organisation`` an organisation slug. Each facet counts the
    visible practices that match the other filters (so ticking a box never empties its own
    list); a practice the user may not see is never counted. Sorting by relevance needs text.
    """
    text = text.strip()
    if sort not in SORTS or (sort == RELEVANCE and not text):
        sort = DEFAULT_SORT
    visible_ids = visible_to(PracticePage.objects.live(), user).values("pk")
    visible = PracticePage.objects.filter(pk__in=visible_ids)

    filters = {}
    if topics:
        # One practice with two chosen topics must still count once: a subquery, not a join.
        filters["topics"] = {
            "pk__in": PracticePage.objects.filter(topics__slug__in=topics).values("pk")
        }
    if does_it_work:
        filters["does_it_work"] = {"does_it_work__in": does_it_work}
    if evidence_stages:
        filters["evidence_stage"] = {"evidence_stage__in": evidence_stages}
    if organisation_kinds:
        filters["organisation_kind"] = {"organisation__kind__in": organisation_kinds}
    if organisation:
        filters["organisation"] = {"organisation__slug": organisation}

    finder = _finder()
    page = _page_number(page)

    def ask(*, page, per_page):
        return finder(
            user=user,
            text=text,
            topics=topics,
            does_it_work=does_it_work,
            evidence_stages=evidence_stages,
            organisation_kinds=organisation_kinds,
            organisation=organisation,
            sort=sort,
            page=page,
            per_page=per_page,
        )

    found = ask(page=page, per_page=per_page) if finder else None
    if found is None and text:
        # No search app to ask: match the words in titles and summaries.
        for word in text.split():
            visible = visible.filter(Q(title__icontains=word) | Q(summary__icontains=word))

    def narrowed(except_facet=None):
        queryset = visible
        for name, lookup in filters.items():
            if name != except_facet:
                queryset = queryset.filter(**lookup)
        return queryset

    if found is None:

        def count_facets():
            return {
                "topics": _counts(narrowed("topics"), "topics__slug"),
                "does_it_work": _counts(narrowed("does_it_work"), "does_it_work"),
                "evidence_stage": _counts(narrowed("evidence_stage"), "evidence_stage"),
                "organisation_kind": _counts(narrowed("organisation_kind"), "organisation__kind"),
                "organisation": _counts(narrowed("organisation"), "organisation__slug"),
            }

        if text:
            facets = count_facets()
        else:
            # Five counts on every visit to the library: kept until content changes, for every
            # reader who may see the same practices (the same grant) and chose the same filters.
            chosen = [sorted(values) for values in (topics, does_it_work, evidence_stages)]
            chosen += [sorted(organisation_kinds), organisation]
            facets = remembered_for_reader(user, f"library-facets:{chosen!r}", count_facets)
        matching = narrowed()
    else:
        facets = found.facets
        matching = narrowed()
    matching = matching.select_related("organisation").prefetch_related("topics")
    if found is not None:
        practices = FoundPractices(matching, ask, per_page=per_page, page=page, found=found)
    elif sort == RELEVANCE:
        practices = _sorted(matching, "title")
    else:
        practices = _sorted(matching, sort)
    return PracticeResults(
        practices=practices, facets=facets, fallback=bool(found and found.fallback)
    )
