"""Demo content for `seed_demo`: categories (agency-only ones too), threads with replies from
several forces and probation regions, and a flag waiting for the moderators.

Posts go through the services, so they obey the same rules as real ones. The demo members get
daily digests, so seeding does not fill the outbox with notifications.
"""

from accounts.demo import ensure_demo_user
from accounts.models import OrganisationKind, User
from kx_site.audience import Audience, Marking
from kx_site.demo import demo_data

from . import services
from .models import Flag, ForumCategory, Thread

CATEGORIES = [
    (
        "risk-management",
        "Risk management across agencies",
        "Police, probation and partners on managing risk together.",
        Audience.PRACTITIONERS,
        [],
        Marking.OFFICIAL,
    ),
    (
        "arms-and-oasys",
        "ARMS and OASys",
        "Assessments, scoring and what they mean for plans.",
        Audience.PRACTITIONERS,
        [],
        Marking.OFFICIAL,
    ),
    (
        "police-public-protection",
        "Police public protection",
        "For police forces only: MOSOVO practice and ViSOR recording.",
        Audience.RESTRICTED,
        [OrganisationKind.POLICE_FORCE],
        Marking.OFFICIAL_SENSITIVE,
    ),
    (
        "probation-practice",
        "Probation practice",
        "For probation regions only.",
        Audience.RESTRICTED,
        [OrganisationKind.PROBATION_REGION],
        Marking.OFFICIAL,
    ),
]

MEMBERS = [
    ("s.hughes@avonandsomerset.police.uk", "Sian", "Hughes", "MOSOVO sergeant",
     "avon-and-somerset-constabulary"),
    ("g.bell@cumbria.police.uk", "Gareth", "Bell", "Offender manager", "cumbria-constabulary"),
    ("n.rees@dyfed-powys.police.uk", "Nia", "Rees", "Detective constable", "dyfed-powys-police"),
    ("j.obi@justice.gov.uk", "Jo", "Obi", "Senior probation officer",
     "probation-service-greater-manchester"),
]  # fmt: skip

# (category slug, title, [(author email, body), ...]); the first post opens the thread.
THREADS = [
    (
        "risk-management",
        "Planning unannounced home visits together",
        [
            ("pc.jones@kent.police.uk", "How do your teams plan **joint** home visits with "
             "probation? We have tried a shared calendar since March 2023."),
            ("probation.officer@justice.gov.uk", "We agree the purpose of each visit at the "
             "MAPPA meeting first, then split who leads."),
            ("s.hughes@avonandsomerset.police.uk", "Same here. We also note which risk factors "
             "each visit checks, so the next visit picks up where we left off."),
        ],
    ),
    (
        "arms-and-oasys",
        "Reading ARMS and OASys side by side",
        [
            ("j.obi@justice.gov.uk", "Since July 2020 we use the ARMS-informed OASys. Police "
             "colleagues: what do you look at first when you get our assessment?"),
            ("g.bell@cumbria.police.uk", "The protective factors section, then whether the "
             "plan's actions match it."),
        ],
    ),
    (
        "police-public-protection",
        "Recording home visits consistently",
        [
            ("n.rees@dyfed-powys.police.uk", "Does anyone have a template for visit notes that "
             "keeps the recording consistent across officers?"),
            ("pc.jones@kent.police.uk", "We use a short checklist: purpose, observations, "
             "changes since last visit, actions."),
        ],
    ),
    (
        "probation-practice",
        "Supervision sessions after release",
        [
            ("probation.officer@justice.gov.uk", "How often do you hold supervision in the "
             "first month after release?"),
            ("j.obi@justice.gov.uk", "Weekly, and we review at four weeks with the police "
             "offender manager."),
        ],
    ),
]  # fmt: skip


@demo_data(after=["accounts"])
def ensure_demo_forums():
    """Add the demo categories, threads and a pending flag if missing. Safe to run again."""
    categories = {}
    for slug, name, description, audience, kinds, marking in CATEGORIES:
        categories[slug], _ = ForumCategory.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "description": description,
                "audience": audience,
                "restricted_to_kinds": kinds,
                "marking": marking,
                "sort_order": len(categories),
            },
        )
    for email, first, last, role, organisation_slug in MEMBERS:
        ensure_demo_user(email, first, last, role, organisation_slug=organisation_slug)
    if Thread.objects.exists():
        return
    members = {}
    for _slug, _title, posts in THREADS:
        for email, _body in posts:
            if email not in members:
                members[email] = User.objects.get(email=email)
                services.email_frequency_set(user=members[email], frequency="daily")
    first_thread = None
    for slug, title, posts in THREADS:
        (author, body), *replies = posts
        thread = services.thread_create(
            category=categories[slug], author=members[author], title=title, body=body
        )
        for email, reply in replies:
            services.post_reply(thread=thread, author=members[email], body=reply)
        first_thread = first_thread or thread
    flagged = first_thread.posts.get(number=3)
    if not Flag.objects.exists():
        services.post_flag(
            post=flagged,
            user=members["probation.officer@justice.gov.uk"],
            reason=Flag.Reason.OFF_TOPIC,
            detail="Demo flag: please check this one.",
        )
