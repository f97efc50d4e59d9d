"""The briefings' part in search: briefings and their recommendations, registered from
``BriefingsConfig.ready`` (``search.registry``), so that search imports nothing of them."""

from search.documents.base import EntryData, SearchDocument, audience_of, page_url, stream_text
from search.registry import register_document

from .models import BriefingPage, Recommendation


def _briefing_topics(briefing):
    return [(t.slug, t.name) for t in briefing.topics.all()]


class BriefingDocument(SearchDocument):
    model = BriefingPage
    doc_type = "briefing"
    label = "Briefing"

    def queryset(self):
        return BriefingPage.objects.live().prefetch_related(
            "topics", "restricted_to_organisations"
        )

    def entry(self, briefing):
        return EntryData(
            title=briefing.title,
            url=page_url(briefing),
            summary=briefing.summary,
            body=" ".join(
                [
                    briefing.series,
                    briefing.get_status_display(),
                    stream_text(briefing.key_findings),
                    briefing.methods_note,
                ]
            ),
            topics=_briefing_topics(briefing),
            date=briefing.publication_date,
            **audience_of(briefing),
        )

    def dependants(self, briefing):
        return [(RECOMMENDATION, r) for r in briefing.recommendations.all()]


class RecommendationDocument(SearchDocument):
    model = Recommendation
    doc_type = "recommendation"
    label = "Recommendation"
    # Its title repeats its briefing's, as a forum reply's repeats its thread's.
    in_suggestions = False
    titled_on_display = True

    def queryset(self):
        return (
            Recommendation.objects.filter(briefing__live=True)
            .select_related("briefing")
            .prefetch_related("briefing__topics", "briefing__restricted_to_organisations")
        )

    def entry(self, recommendation):
        briefing = recommendation.briefing
        return EntryData(
            # Its own words only: the briefing's title and topics are searched, but below them.
            # Results show "Recommendation N: <briefing>" (``display_titles``).
            title=f"Recommendation {recommendation.number}",
            url=page_url(briefing),
            summary=recommendation.text[:500],
            body=f"{recommendation.text} {recommendation.get_owner_display()}",
            inherited_topics=_briefing_topics(briefing),
            inherited_text=briefing.title,
            date=briefing.publication_date,
            parent_key=BRIEFING.key(briefing.pk),
            # Seen by exactly those who may see its briefing.
            **audience_of(briefing),
        )

    def display_titles(self, pks):
        rows = Recommendation.objects.filter(pk__in=pks).values_list(
            "pk", "number", "briefing__title"
        )
        return {pk: display_title(number, title) for pk, number, title in rows}


def display_title(number, briefing_title):
    return f"Recommendation {number}: {briefing_title}"


BRIEFING = BriefingDocument()
RECOMMENDATION = RecommendationDocument()


def register():
    register_document(BRIEFING, order=20)
    register_document(RECOMMENDATION, order=30)
