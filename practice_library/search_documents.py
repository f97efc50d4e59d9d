"""The practice library's part in search: its search document, the facets whose values it owns
(topics, "does it work?", evidence stages) and the library's finder.

The library plugs into search (``search.registry``), so that search imports nothing of it;
``register`` runs from ``PracticeLibraryConfig.ready``. The library's index asks for matches
through the ``find_practices`` Wagtail hook (``practice_library.selectors``), registered here.
"""

from wagtail import hooks

from search import selectors
from search.documents.base import EntryData, SearchDocument, audience_of, page_url
from search.queries import SearchQuery
from search.registry import register_document, register_facet

from .models import (
    DOES_IT_WORK_RANK,
    EVIDENCE_RANK,
    DoesItWork,
    EvidenceStage,
    PracticePage,
    Topic,
)
from .selectors import FINDER_HOOK, PracticeMatches


class PracticeDocument(SearchDocument):
    model = PracticePage
    doc_type = "practice"
    label = "Practice"

    def queryset(self):
        return (
            PracticePage.objects.live()
            .select_related("organisation")
            .prefetch_related("topics", "restricted_to_organisations")
        )

    def entry(self, practice):
        organisation = practice.organisation
        return EntryData(
            title=practice.title,
            url=page_url(practice),
            summary=practice.summary,
            body=" ".join(
                [
                    practice.focus,
                    practice.target_group,
                    practice.aim,
                    practice.intended_outcome,
                    practice.description,
                    practice.evaluation,
                    practice.partners,
                    practice.region,
                ]
            ),
            topics=[(t.slug, t.name) for t in practice.topics.all()],
            does_it_work=practice.does_it_work,
            evidence_stage=practice.evidence_stage,
            organisation_kind=organisation.kind if organisation else "",
            organisation=organisation.slug if organisation else "",
            date=practice.start_date or practice.first_published_at,
            published_at=practice.first_published_at,
            # The library's "strongest evidence first": evidence, then rating.
            listing_rank=10 * EVIDENCE_RANK.get(practice.evidence_stage, 0)
            + DOES_IT_WORK_RANK.get(practice.does_it_work, 0),
            **audience_of(practice),
        )


PRACTICE = PracticeDocument()

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


def _topic_names(slugs):
    return dict(Topic.objects.filter(slug__in=slugs).values_list("slug", "name"))


def _all_topics():
    return Topic.objects.values_list("slug", flat=True)


def register():
    register_document(PRACTICE, order=10)
    # Events and briefings share the library's topic vocabulary.
    register_facet("topic", labels=_topic_names, all_values=_all_topics)
    register_facet("does_it_work", choices=DoesItWork.choices)
    register_facet("evidence_stage", choices=EvidenceStage.choices)
    hooks.register(FINDER_HOOK, find_practices)
