"""Demo briefings for `seed_demo`: five interim findings and the final report that replaces them.

Safe to run again: pages are found by slug and left alone once they exist. The study and its
findings are invented; no real offender, victim or case is described.
"""

import json
from datetime import timedelta

from django.utils import timezone

from events.models import EventPage
from kx_site.demo import demo_data
from kx_site.models import HomePage
from practice_library.models import Topic

from . import services
from .models import (
    BriefingIndexPage,
    BriefingPage,
    BriefingRelatedEvent,
    Recommendation,
    RecommendationOwner,
)
from .workflow import briefing_index_workflow_assign

SERIES = "National study of joint offender management"

# (slug, title, audience, marking, topic slugs, summary, finding)
INTERIM = [
    (
        "joint-management-interim-1-home-visits",
        "Interim findings 1: joint home visits",
        "public",
        "official",
        ["home-visits", "joint-police-and-probation-working"],
        "Early evidence that visits planned jointly by police and probation find more.",
        "Teams that planned visits together recorded protective factors more consistently.",
    ),
    (
        "joint-management-interim-2-arms-reviews",
        "Interim findings 2: ARMS reviews",
        "public",
        "official",
        ["arms-practice", "risk-assessment-and-management"],
        "How often ARMS assessments are reviewed, and what makes a review useful.",
        "Reviews held within the expected interval were more likely to change the plan.",
    ),
    (
        "joint-management-interim-3-information-sharing",
        "Interim findings 3: sharing information under MAPPA",
        "public",
        "official",
        ["mappa"],
        "What helps and hinders information sharing between MAPPA agencies.",
        "A named contact in each agency shortened the time taken to share new information.",
    ),
    (
        "joint-management-interim-4-practitioner-views",
        "Interim findings 4: what practitioners told us",
        "practitioners",
        "official",
        ["joint-police-and-probation-working", "training"],
        "Practitioners' views on workload, training and joint working, for practitioners.",
        "Most practitioners asked for joint training with the other agency.",
    ),
    (
        "joint-management-interim-5-recording-practice",
        "Interim findings 5: recording practice",
        "practitioners",
        "official_sensitive",
        ["notification-requirements", "public-protection-information"],
        "How forces record visit outcomes and notification checks.",
        "Recording practice varied between forces in ways that affect later reviews.",
    ),
]

FINAL_SLUG = "joint-management-final-report"

# (owner, text, final status)
RECOMMENDATIONS = [
    (
        "both",
        "Plan every home visit jointly where both agencies manage the person.",
        "implemented",
    ),
    ("police", "Record protective factors seen on a visit, not only risk factors.", "implemented"),
    ("probation", "Share the ARMS-informed OASys summary with the police lead.", "implemented"),
    ("police", "Hold ARMS reviews within the expected interval.", "implemented"),
    ("national_body", "Publish one national template for joint visit records.", "implemented"),
    ("both", "Name a single contact in each agency for each MAPPA case.", "implemented"),
    ("both", "Offer joint training to new MOSOVO officers and probation staff.", "implemented"),
    ("national_body", "Include joint working in the APP module's next review.", "implemented"),
    ("police", "Check notification requirements at every scheduled visit.", "implemented"),
    ("probation", "Record the outcome of joint visits in the case notes.", "implemented"),
    ("both", "Agree a local protocol for urgent information sharing.", "in_progress"),
    ("national_body", "Fund an independent evaluation of joint visits.", "in_progress"),
    ("police", "Audit recording practice once a year.", "in_progress"),
    ("probation", "Give practitioners protected time for ARMS reviews.", "accepted"),
    ("national_body", "Collect national figures on joint visits.", "accepted"),
    ("both", "Pilot shared case records between the agencies.", "proposed"),
    ("police", "Visit every person monthly regardless of risk level.", "not_taken_forward"),
]

PATH_TO = {
    "implemented": ["accepted", "in_progress", "implemented"],
    "in_progress": ["accepted", "in_progress"],
    "accepted": ["accepted"],
    "proposed": [],
    "not_taken_forward": ["not_taken_forward"],
}


def _paragraphs(*texts):
    return json.dumps([{"type": "paragraph", "value": f"<p>{text}</p>"} for text in texts])


def _index():
    index = BriefingIndexPage.objects.first()
    if index is None:
        index = BriefingIndexPage(
            title="Briefings",
            slug="briefings",
            intro="Interim findings and final reports from research on managing registered "
            "sex offenders, with what became of each recommendation.",
        )
        HomePage.objects.get().add_child(instance=index)
        index.save_revision().publish()
    briefing_index_workflow_assign(index=index)
    return index


def _topics(slugs):
    return list(Topic.objects.filter(slug__in=slugs))


def _publish(index, *, slug, topics, prepare=None, **fields):
    """Create and publish the briefing unless it exists; ``prepare(briefing)`` runs first, so
    that the one publication (which emails subscribers) carries everything."""
    briefing = BriefingPage.objects.filter(slug=slug).first()
    if briefing is not None:
        return briefing
    briefing = BriefingPage(slug=slug, series=SERIES, live=False, **fields)
    index.add_child(instance=briefing)
    briefing.topics.set(topics)
    if prepare:
        prepare(briefing)
    briefing.save_revision().publish()
    return BriefingPage.objects.get(pk=briefing.pk)


@demo_data(after=["events"])
def ensure_demo_briefings():
    """The index at /briefings/, five interim briefings and the final report with 17
    recommendations (10 implemented), each with its dated history."""
    index = _index()
    today = timezone.localdate()
    interims = []
    for number, (slug, title, audience, marking, topic_slugs, summary, finding) in enumerate(
        INTERIM, start=1
    ):
        briefing = _publish(
            index,
            slug=slug,
            topics=_topics(topic_slugs),
            title=title,
            number=number,
            status=BriefingPage.Status.INTERIM,
            publication_date=today - timedelta(days=400 - 60 * number),
            summary=summary,
            key_findings=_paragraphs(finding),
            methods_note="Interviews and case-file reviews in twelve police forces and their "
            "probation regions. Interim: the numbers will change as fieldwork finishes.",
            audience=audience,
            marking=marking,
        )
        interims.append(briefing)

    today = timezone.localdate()

    def prepare_final(final):
        final.supersedes.set(interims)
        event = EventPage.objects.live().order_by("start").first()
        if event is not None:
            BriefingRelatedEvent.objects.create(briefing=final, page=event)
        # Recommendations are saved before the page's revision is taken, so the revision
        # holds them and later publications keep them.
        for number, (owner, text, status) in enumerate(RECOMMENDATIONS, start=1):
            recommendation = Recommendation.objects.create(
                briefing=final, number=number, text=text, owner=RecommendationOwner(owner)
            )
            for step, step_status in enumerate(PATH_TO[status]):
                services.recommendation_status_change(
                    recommendation=recommendation,
                    status=step_status,
                    note="Reported by the national lead." if step_status == status else "",
                    date=today - timedelta(days=25 - 8 * step),
                )
        final.save()

    _publish(
        index,
        slug=FINAL_SLUG,
        topics=_topics(["joint-police-and-probation-working", "home-visits", "mappa"]),
        prepare=prepare_final,
        title="Joint offender management: final report",
        number=len(INTERIM) + 1,
        status=BriefingPage.Status.FINAL,
        publication_date=today - timedelta(days=30),
        summary="What the study found, and 17 recommendations for police, probation and "
        "national bodies.",
        key_findings=_paragraphs(
            "Joint planning of home visits was the change most associated with better records.",
            "Timely ARMS reviews changed plans more often than late ones.",
        ),
        methods_note="Fieldwork over eighteen months; this report replaces the interim findings.",
        audience="public",
        marking="official",
    )
