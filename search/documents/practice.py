from practice_library.models import DOES_IT_WORK_RANK, EVIDENCE_RANK, PracticePage

from .base import EntryData, SearchDocument, audience_of, page_url


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
