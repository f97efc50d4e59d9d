"""Facet values with the labels people read, for the page and the JSON API."""

from accounts.models import Organisation, OrganisationKind
from practice_library.models import DoesItWork, EvidenceStage, Topic

from .documents import type_label
from .queries import FACETS


def _labels(facet_name, values):
    if facet_name == "type":
        return {v: type_label(v) for v in values}
    if facet_name == "topic":
        return dict(Topic.objects.filter(slug__in=values).values_list("slug", "name"))
    if facet_name == "organisation":
        return dict(Organisation.objects.filter(slug__in=values).values_list("slug", "name"))
    choices = {
        "does_it_work": DoesItWork,
        "evidence_stage": EvidenceStage,
        "organisation_kind": OrganisationKind,
    }.get(facet_name)
    if choices:
        return {v: dict(choices.choices).get(v, v) for v in values}
    return {v: v for v in values}


def facet_options(results, query):
    """[{"name", "label", "options": [{"value", "label", "count", "selected"}]}] per facet.

    A selected value with no results is still listed, so that it can be unselected.
    """
    facets = []
    for facet in FACETS:
        counts = dict(results.facets.get(facet.name, []))
        selected = [str(v) for v in query.selected(facet.name)]
        values = list(counts) + [v for v in selected if v not in counts]
        labels = _labels(facet.name, values) if values else {}
        options = [
            {
                "value": value,
                "label": labels.get(value, value),
                "count": counts.get(value, 0),
                "selected": value in selected,
            }
            for value in values
        ]
        if facet.name == "year":
            options.sort(key=lambda o: o["value"], reverse=True)
        facets.append({"name": facet.name, "label": facet.label, "options": options})
    return facets
