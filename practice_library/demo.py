"""Demo content for `seed_demo`: the library index and 64 practices, safe to run again.

The practices are assembled from small phrase tables so that they read like real Practice
Bank entries without describing any real offender, victim or case.
"""

from datetime import date

from accounts.models import Organisation, OrganisationKind
from kx_site.audience import Audience, Marking
from kx_site.demo import demo_data
from kx_site.models import HomePage

from .models import (
    Adoption,
    DoesItWork,
    EvidenceStage,
    PracticeIndexPage,
    PracticePage,
    Scale,
    Topic,
)

# (title, topic slugs, focus, target group, aim, what happens)
APPROACHES = [
    (
        "Joint police and probation home visits",
        ["home-visits", "joint-police-and-probation-working"],
        "Risk management",
        "Registered sex offenders managed at MAPPA level 1 and 2",
        "Give both agencies the same picture of a person's home circumstances.",
        "A MOSOVO officer and the probation practitioner plan each visit together, agree who "
        "leads on which protective factors and write one shared record afterwards",
    ),
    (
        "Structured ARMS review meetings",
        ["arms-practice", "risk-assessment-and-management"],
        "Assessment quality",
        "Adult men subject to notification requirements",
        "Make ARMS assessments consistent across teams.",
        "Officers bring a completed ARMS assessment to a monthly review where a supervisor and a "
        "peer challenge the scoring and the management plan",
    ),
    (
        "Potentially dangerous persons screening panel",
        ["potentially-dangerous-persons-pdps", "identifying-offenders-for-management"],
        "Early identification",
        "People who may meet the PDP threshold",
        "Decide quickly and consistently whether someone should be managed as a PDP.",
        "A weekly panel of police, probation and children's services reviews referrals "
        "against the APP criteria and records the rationale for each decision",
    ),
    (
        "Notification compliance reminders",
        ["notification-requirements"],
        "Compliance",
        "Registered sex offenders due to notify",
        "Reduce late and missed notifications.",
        "The team sends a letter and a text message a fortnight before each periodic "
        "notification is due and follows up any missed appointment within two working days",
    ),
    (
        "Travel notification checklist",
        ["travelling-abroad", "notification-requirements"],
        "Foreign travel",
        "Registered sex offenders planning travel abroad",
        "Check foreign travel notifications fully and share them in good time.",
        "Officers use a one-page checklist covering dates, addresses and purpose of travel, and "
        "refer every notification to the national unit the same day",
    ),
    (
        "Mental health liaison for offender managers",
        ["mental-health", "risk-assessment-and-management"],
        "Mental health",
        "People managed under MAPPA with mental health needs",
        "Give offender managers quick access to mental health advice.",
        "A community mental health nurse joins the team one day a week for consultations and "
        "joint reviews of people whose mental health affects their risk",
    ),
    (
        "MAPPA level 2 meeting preparation template",
        ["mappa", "public-protection-information"],
        "Multi-agency working",
        "People managed at MAPPA level 2",
        "Make MAPPA meetings shorter and better informed.",
        "Each agency completes a short template a week before the meeting, so that the chair "
        "circulates one summary and the meeting concentrates on actions",
    ),
    (
        "ViSOR record quality checks",
        ["public-protection-information"],
        "Information sharing",
        "ViSOR nominal records",
        "Keep records complete and current for every agency that relies on them.",
        "A data quality officer samples records each month against a short standard and returns "
        "corrections to the record owner with a deadline",
    ),
    (
        "Sexual harm prevention order breach toolkit",
        ["court-orders"],
        "Enforcement",
        "People subject to sexual harm prevention orders",
        "Act consistently and quickly on suspected breaches of civil orders.",
        "Officers follow a toolkit of evidence checklists, template statements and a decision "
        "log agreed with the local Crown Prosecution Service",
    ),
    (
        "Media handling protocol for community concern",
        ["communication-and-media"],
        "Communication",
        "Communities affected by public concern about an individual",
        "Respond to public concern in a planned way that protects the public.",
        "A protocol agreed by police, probation and the local authority sets out who speaks to "
        "the media and the community, and what may be disclosed",
    ),
    (
        "Learning reviews after serious further offences",
        ["reviews"],
        "Organisational learning",
        "Cases subject to serious further offence review",
        "Turn review findings into changes in everyday practice.",
        "Each review ends with a practitioner workshop that agrees no more than three changes, "
        "and the team checks six months later whether they stuck",
    ),
    (
        "Induction programme for new MOSOVO officers",
        ["training", "arms-practice"],
        "Workforce development",
        "Officers new to offender management",
        "Get new officers confident in ARMS and home visits within three months.",
        "New officers shadow an experienced colleague, complete the ARMS course and are signed "
        "off after five observed visits",
    ),
    (
        "Pre-release planning meetings",
        ["mappa", "joint-police-and-probation-working"],
        "Resettlement",
        "People due for release from custody who will be registered",
        "Have accommodation, conditions and first appointments in place on the day of release.",
        "The prison offender manager, community probation practitioner and police meet twelve "
        "weeks before release to agree the plan and the first week's contacts",
    ),
    (
        "Digital device examination triage",
        ["risk-assessment-and-management", "court-orders"],
        "Online risk",
        "People whose orders restrict internet-enabled devices",
        "Use scarce examination time where the risk is greatest.",
        "Officers score each case against a short triage guide before requesting examination, "
        "and low-risk checks are done with screening software at the visit",
    ),
    (
        "Peer support for officers managing high-risk cases",
        ["training"],
        "Staff wellbeing",
        "Offender managers with high-risk caseloads",
        "Reduce the strain of managing high-risk cases.",
        "Officers meet monthly in small groups with a trained facilitator to talk through "
        "difficult cases and their effect on them",
    ),
    (
        "Single point of contact for accommodation providers",
        ["joint-police-and-probation-working", "public-protection-information"],
        "Accommodation",
        "Approved premises and housing providers",
        "Give housing providers one place to raise concerns and get advice.",
        "A named officer and probation practitioner share a mailbox and phone line for housing "
        "providers and answer within one working day",
    ),
]
RESULTS = {
    DoesItWork.WORKED: "An evaluation found {gain} after the first year.",
    DoesItWork.PROMISING: "Early figures suggest {gain}, but the numbers are still small.",
    DoesItWork.UNTESTED: "The practice is new and has not been evaluated yet.",
    DoesItWork.DID_NOT_WORK: "It was stopped after a year: staff found it took more time than "
    "it saved and the figures did not change.",
}
GAINS = [
    "fewer missed appointments",
    "more complete records",
    "quicker decisions",
    "better attendance at meetings",
    "greater confidence among staff",
]
RATINGS = [DoesItWork.WORKED, DoesItWork.PROMISING, DoesItWork.UNTESTED, DoesItWork.DID_NOT_WORK]
STAGES = {
    DoesItWork.WORKED: [EvidenceStage.INDEPENDENTLY_EVALUATED, EvidenceStage.EVALUATED_LOCALLY],
    DoesItWork.PROMISING: [EvidenceStage.EVALUATED_LOCALLY, EvidenceStage.UNTESTED],
    DoesItWork.UNTESTED: [EvidenceStage.UNTESTED],
    DoesItWork.DID_NOT_WORK: [EvidenceStage.EVALUATED_LOCALLY],
}
COSTS = [
    "Staff time only.",
    "About two days of a supervisor's time each month.",
    "One part-time post, funded from the unit's budget.",
    "A one-off cost for printing and training of under £2,000.",
]
SCALES = [Scale.LOCAL, Scale.ORGANISATION, Scale.REGIONAL, Scale.LOCAL]
DEMO_ORGANISATIONS = [
    "kent-police",
    "probation-service-london",
    "greater-manchester-police",
    "probation-service-wales",
    "west-midlands-police",
    "probation-service-north-west",
    "thames-valley-police",
    "probation-service-yorkshire-and-the-humber",
]
PRACTICES_PER_APPROACH = 4


def _organisations():
    found = {o.slug: o for o in Organisation.objects.filter(slug__in=DEMO_ORGANISATIONS)}
    chosen = [found[slug] for slug in DEMO_ORGANISATIONS if slug in found]
    if len(chosen) < 4:
        chosen += list(
            Organisation.objects.filter(
                kind__in=[OrganisationKind.POLICE_FORCE, OrganisationKind.PROBATION_REGION]
            ).order_by("name")[:8]
        )
    return chosen


def _library():
    index = PracticeIndexPage.objects.first()
    if index:
        return index
    index = PracticeIndexPage(
        title="Practice library",
        slug="library",
        intro="What police and probation teams do to manage registered sex offenders, how well "
        "it works, and who else has used it.",
    )
    HomePage.objects.get().add_child(instance=index)
    index.save_revision().publish()
    return index


def _audience(n):
    """Mostly for practitioners; some public; a few police-only or probation-only."""
    if n % 9 == 4:
        return Audience.RESTRICTED, [OrganisationKind.POLICE_FORCE], Marking.OFFICIAL_SENSITIVE
    if n % 13 == 7:
        return Audience.RESTRICTED, [OrganisationKind.PROBATION_REGION], Marking.OFFICIAL
    if n % 3 == 0:
        return Audience.PUBLIC, [], Marking.OFFICIAL
    return Audience.PRACTITIONERS, [], Marking.OFFICIAL


def _practice(n, approach, organisation, topics):
    title, topic_slugs, focus, target_group, aim, method = approach
    rating = RATINGS[n % len(RATINGS)]
    stage = STAGES[rating][n % len(STAGES[rating])]
    audience, kinds, marking = _audience(n)
    gain = GAINS[n % len(GAINS)]
    start = date(2019 + n % 6, 1 + n % 12, 1)
    page = PracticePage(
        title=f"{title} ({organisation.name})",
        slug=f"demo-practice-{n + 1}",
        summary=f"{organisation.name}: {aim[0].lower()}{aim[1:]}",
        does_it_work=rating,
        evidence_stage=stage,
        focus=focus,
        target_group=target_group,
        organisation=organisation,
        partners="Local authority children's services" if n % 2 else "",
        region="",
        scale=SCALES[n % len(SCALES)],
        start_date=start,
        end_date=date(start.year + 1, start.month, 1)
        if rating == DoesItWork.DID_NOT_WORK
        else None,
        aim=aim,
        intended_outcome=f"{gain[0].upper()}{gain[1:]} and safer management in the community.",
        description=f"{method}.\n\nThe approach was developed in {organisation.name} and is "
        "described here so that other teams can adapt it.",
        evaluation=RESULTS[rating].format(gain=gain),
        resources_and_cost=COSTS[n % len(COSTS)],
        contact_name="Public protection unit",
        contact_email=f"practice.{n + 1}@kx.example",
        audience=audience,
        restricted_to_kinds=kinds,
        marking=marking,
    )
    page.topics = [topics[slug] for slug in topic_slugs if slug in topics]
    return page


@demo_data()
def ensure_demo_practices():
    """Add the library and its demo practices if they are missing. Safe to run again."""
    index = _library()
    organisations = _organisations()
    if not organisations:
        return
    topics = {topic.slug: topic for topic in Topic.objects.all()}
    existing = set(PracticePage.objects.values_list("slug", flat=True))
    n = 0
    for approach in APPROACHES:
        for _copy in range(PRACTICES_PER_APPROACH):
            organisation = organisations[(n * 3) % len(organisations)]
            if f"demo-practice-{n + 1}" not in existing:
                page = _practice(n, approach, organisation, topics)
                index.add_child(instance=page)
                page.save_revision().publish()
            n += 1
    _ensure_adoptions(organisations)


def _ensure_adoptions(organisations):
    practices = list(PracticePage.objects.filter(slug__startswith="demo-practice-").order_by("pk"))
    for number, practice in enumerate(practices[::5]):
        adopter = organisations[(number + 1) % len(organisations)]
        if adopter == practice.organisation:
            continue
        Adoption.objects.get_or_create(
            practice=practice,
            organisation=adopter,
            defaults={
                "kind": Adoption.Kind.ADAPTED if number % 2 else Adoption.Kind.ADOPTED,
                "note": f"{adopter.name} uses it in two teams"
                + (", with a shorter meeting format." if number % 2 else "."),
                "own_evaluation": "Staff say it saves time." if number % 3 == 0 else "",
            },
        )
