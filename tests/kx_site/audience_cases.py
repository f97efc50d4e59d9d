"""Audience levels and kinds of user, shared by the audience and page-access tests."""

from django.contrib.auth.models import AnonymousUser

from accounts.models import Organisation, OrganisationKind
from kx_site.audience import Audience, Marking
from tests.factories import (
    PractitionerFactory,
    ProbationPractitionerFactory,
    StandardPageFactory,
    UserFactory,
    with_second_factor,
)

# The audience levels a page can have, as StandardPageFactory arguments.
LEVELS = {
    "public": {"audience": Audience.PUBLIC},
    "registered": {"audience": Audience.REGISTERED},
    "practitioners": {"audience": Audience.PRACTITIONERS},
    "police_only": {
        "audience": Audience.RESTRICTED,
        "restricted_to_kinds": [OrganisationKind.POLICE_FORCE],
    },
    "kent_police_only": {"audience": Audience.RESTRICTED, "organisation_slugs": ["kent-police"]},
}

# Who may see each level. Users: anonymous; signed in without a confirmed address; registered
# (confirmed, not a practitioner); a probation practitioner; a practitioner of Kent Police;
# a practitioner of another force (Essex); a superuser.
USERS = ["anonymous", "unconfirmed", "registered", "probation", "kent", "essex", "superuser"]
ALLOWED = {
    "public": set(USERS),
    "registered": {"registered", "probation", "kent", "essex", "superuser"},
    "practitioners": {"probation", "kent", "essex", "superuser"},
    "police_only": {"kent", "essex", "superuser"},
    "kent_police_only": {"kent", "superuser"},
}


def make_user(kind):
    if kind == "anonymous":
        return AnonymousUser()
    if kind == "unconfirmed":
        return UserFactory(email_verified=False)
    if kind == "registered":
        return UserFactory()
    if kind == "probation":
        return ProbationPractitionerFactory()
    if kind == "kent":
        return PractitionerFactory()
    if kind == "essex":
        return PractitionerFactory(
            email="pc@essex.police.uk", organisation=Organisation.objects.get(slug="essex-police")
        )
    if kind == "superuser":
        return with_second_factor(
            UserFactory(is_superuser=True, is_staff=True, email_verified=False)
        )
    raise ValueError(kind)


def make_page(level, **fields):
    spec = {"title": f"{level} page", "marking": Marking.OFFICIAL, **LEVELS[level], **fields}
    slugs = spec.pop("organisation_slugs", [])
    page = StandardPageFactory(**spec)
    if slugs:
        page.restricted_to_organisations.set(Organisation.objects.filter(slug__in=slugs))
        page.save()
    return page
