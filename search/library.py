"""The practice library's finder: its index asks the search query layer (see
``practice_library.selectors``), so words, facets, permissions, sorting and pages work there as
on /search/: the engine (or the database) answers with one page, its total and the facets."""

from practice_library.selectors import PracticeMatches

from . import selectors
from .documents import PRACTICE
from .queries import SearchQuery

# The library's filter names, and the search facets they are.
FACET_NAMES = {
    "topics": "topic",
    "does_it_work": "does_it_work",
    "evidence_stage": "evidence_stage",
    "organisation_kind": "organisation_kind",
    "organisation": "organisation",
}
# The library's sorts, and the listing orders they are (``search.queries.LISTING_ORDERS``).
ORDERS = {"relevance": "relevance", "newest": "newest", "title": "title", "evidence": "rank"}


def find_practices(
    *,
    user,
    text,
    topics,
    does_it_work,
    evidence_stages,
    organisation_kinds,
    organisation,
    sort,
    page,
    per_page,
):
    """Page ``page`` of the practices matching ``text`` and the filters in the library's
    ``sort``, from the engine when there is one.

    Without words to look for, only the engine is asked: the library's own SQL lists and counts
    the same practices when the engine is missing or down.
    """
    filters = {
        "type": (PRACTICE.doc_type,),
        "topic": tuple(topics),
        "does_it_work": tuple(does_it_work),
        "evidence_stage": tuple(evidence_stages),
        "organisation_kind": tuple(organisation_kinds),
        "organisation": (organisation,) if organisation else (),
    }
    query = SearchQuery(
        text=text,
        filters={name: v for name, v in filters.items() if v},
        sort=ORDERS[sort],
        page=page,
        per_page=per_page,
    )
    matches = selectors.find(query, user, engine_only=not text)
    if matches is None:
        return None
    prefix = f"{PRACTICE.doc_type}:"
    return PracticeMatches(
        ids=[int(key.removeprefix(prefix)) for key in matches.keys if key.startswith(prefix)],
        total=matches.total,
        facets={
            library_name: dict(matches.facets[search_name])
            for library_name, search_name in FACET_NAMES.items()
        },
        fallback=matches.fallback,
    )
