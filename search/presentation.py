"""Facet values with the labels people read, for the page and the JSON API; results grouped
for the page."""

from dataclasses import dataclass, field

from accounts.models import Organisation, OrganisationKind

from . import selectors
from .database import visible_entries
from .documents import type_label
from .queries import FACETS
from .registry import facet_labels

# Recommendations shown per briefing on a page of results; the rest are "N more".
GROUP_SHOWN = 2
# The types whose results are grouped by their parent: a briefing's recommendations share its
# title and topics, and one briefing could otherwise fill the page.
GROUPED_TYPES = {"recommendation"}


def _labels(facet_name, values):
    if facet_name == "type":
        return {v: type_label(v) for v in values}
    if facet_name == "organisation":
        return dict(Organisation.objects.filter(slug__in=values).values_list("slug", "name"))
    if facet_name == "organisation_kind":
        return {v: dict(OrganisationKind.choices).get(v, v) for v in values}
    # The facets a content app owns (topics, the library's ratings): from its registration.
    return facet_labels(facet_name, values)


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


def within_label(parent_key, user):
    """The title of the parent a search is within, if ``user`` may see it."""
    title = visible_entries(user).filter(key=parent_key).values_list("title", flat=True).first()
    return title or type_label(parent_key.partition(":")[0])


@dataclass
class ResultGroup:
    """A parent's best results on this page, and how many more of its matches there are."""

    parent_key: str
    parent_title: str
    hits: list = field(default_factory=list)
    more: int = 0
    more_querystring: str = ""


def grouped_rows(results, query, user):
    """The page's hits in order, with each briefing's recommendations gathered where its best
    one ranks: [{"hit": Hit} or {"group": ResultGroup}].

    The page is the engine's or database's page, unchanged: the total and the page links stay
    those of every match, and a recommendation folded away here is counted in its group's
    "N more", which links to the same search within that briefing. The count is asked of the
    same backend under the same permission filter, so it never counts what the reader may not
    see. A search already within one briefing is not grouped.
    """
    groups = {}
    rows = []
    for hit in results.hits:
        parent_key = getattr(hit, "parent_key", "")
        if query.within or hit.doc_type not in GROUPED_TYPES or not parent_key:
            rows.append({"hit": hit})
            continue
        group = groups.get(parent_key)
        if group is None:
            group = groups[parent_key] = ResultGroup(parent_key, "")
            rows.append({"group": group})
        group.hits.append(hit)
    if not groups:
        return rows
    counts = selectors.counts_within(query, user, list(groups))
    titles = dict(visible_entries(user).filter(key__in=list(groups)).values_list("key", "title"))
    for parent_key, group in groups.items():
        group.hits = group.hits[:GROUP_SHOWN]
        group.parent_title = titles.get(parent_key, "")
        group.more = max(0, counts.get(parent_key, 0) - len(group.hits))
        group.more_querystring = query.within_parent(parent_key).querystring()
    # A group of one with nothing more is an ordinary result.
    return [
        {"hit": row["group"].hits[0]}
        if "group" in row and len(row["group"].hits) == 1 and not row["group"].more
        else row
        for row in rows
    ]
