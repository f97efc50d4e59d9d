"""Content for the search tests: one practice per audience, all sharing a rare word."""

from django.contrib.auth.models import AnonymousUser

from accounts.models import OrganisationKind
from kx_site.audience import Audience, Marking
from practice_library.models import Topic
from tests.events.factories import EventPageFactory, EventSessionFactory
from tests.factories import (
    PractitionerFactory,
    ProbationPractitionerFactory,
    UserFactory,
    seeded_organisation,
    staff_member,
)
from tests.practice_library.factories import PracticePageFactory

WORD = "kingfisher"


def audience_practices():
    """{name: practice} covering every audience rule; each has a topic of its own."""
    kent = seeded_organisation("kent-police")
    practices = {}
    shared = Topic.objects.get_or_create(slug="home-visits", defaults={"name": "Home visits"})[0]
    specs = {
        "public": {"audience": Audience.PUBLIC},
        "registered": {"audience": Audience.REGISTERED},
        "practitioners": {"audience": Audience.PRACTITIONERS},
        "probation_only": {
            "audience": Audience.RESTRICTED,
            "restricted_to_kinds": [OrganisationKind.PROBATION_REGION],
            "marking": Marking.OFFICIAL_SENSITIVE,
        },
        "kent_only": {"audience": Audience.RESTRICTED, "marking": Marking.OFFICIAL_SENSITIVE},
    }
    for name, fields in specs.items():
        topic = Topic.objects.create(name=f"Topic {name}", slug=f"topic-{name}")
        practice = PracticePageFactory(
            title=f"{WORD.title()} {name} practice",
            slug=f"{WORD}-{name}",
            summary=f"A {WORD} approach to home visits ({name}).",
            description=f"Secret detail {name} of the {WORD} visits.",
            organisation=kent if name != "probation_only" else None,
            topics=[topic, shared],
            **fields,
        )
        if name == "kent_only":
            practice.restricted_to_organisations.set([kent])
            practice.save()
        practices[name] = practice
    return practices


def audience_events():
    """A public event and a Kent-only event, each with one session."""
    kent = seeded_organisation("kent-police")
    public = EventPageFactory(title=f"{WORD.title()} public conference", audience=Audience.PUBLIC)
    EventSessionFactory(event=public, title=f"{WORD.title()} opening session")
    secret = EventPageFactory(
        title=f"{WORD.title()} restricted briefing day", audience=Audience.RESTRICTED
    )
    secret.restricted_to_organisations.set([kent])
    secret.save()
    EventSessionFactory(event=secret, title=f"{WORD.title()} closed session")
    return public, secret


def users():
    """One user of every standing."""
    return {
        "anonymous": AnonymousUser(),
        "unverified": UserFactory(email_verified=False),
        "registered": UserFactory(),
        "kent_officer": PractitionerFactory(),
        "other_force_officer": PractitionerFactory(
            email="officer@bedfordshire.police.uk",
            organisation=seeded_organisation("bedfordshire-police"),
        ),
        "probation_officer": ProbationPractitionerFactory(),
        "administrator": staff_member("superuser"),
    }
