"""Reads for the practice library: the one place that filters, sorts and counts practices.

The library index (and later the search engine's adapter) calls ``practice_search``; views never
filter practices themselves, so the audience rules and the facet counts cannot drift apart.
"""

from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, QuerySet, Value, When

from kx_site.audience import visible_to

from .models import DOES_IT_WORK_RANK, EVIDENCE_RANK, PracticePage

SORTS = {
    "newest": "Newest first",
    "title": "Title (A to Z)",
    "evidence": "Strongest evidence first",
}
DEFAULT_SORT = "newest"


@dataclass
class PracticeResults:
    practices: QuerySet
    # facet name -> {value: number of visible practices}; values are slugs or choice codes.
    facets: dict


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
    topics=(),
    does_it_work=(),
    evidence_stages=(),
    organisation_kinds=(),
    organisation=None,
    sort=DEFAULT_SORT,
):
    """The live practices ``user`` may see that match every filter given, sorted.

    ``topics`` are topic slugs and ``organisation`` an organisation slug. Each facet counts the
    visible practices that match the other filters (so ticking a box never empties its own
    list); a practice the user may not see is never counted.
    """
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

    def narrowed(except_facet=None):
        queryset = visible
        for name, lookup in filters.items():
            if name != except_facet:
                queryset = queryset.filter(**lookup)
        return queryset

    facets = {
        "topics": _counts(narrowed("topics"), "topics__slug"),
        "does_it_work": _counts(narrowed("does_it_work"), "does_it_work"),
        "evidence_stage": _counts(narrowed("evidence_stage"), "evidence_stage"),
        "organisation_kind": _counts(narrowed("organisation_kind"), "organisation__kind"),
        "organisation": _counts(narrowed("organisation"), "organisation__slug"),
    }
    practices = (
        _sorted(narrowed(), sort if sort in SORTS else DEFAULT_SORT)
        .select_related("organisation")
        .prefetch_related("topics")
    )
    return PracticeResults(practices=practices, facets=facets)
