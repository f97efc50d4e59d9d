"""Forum fixtures: a cross-agency category, police-only and probation-only ones, and members
of each kind the permission tests cover."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import OrganisationKind, User, VerificationMethod
from forums import services
from forums.models import ForumCategory
from kx_site.audience import Audience, Marking
from tests.factories import (
    PractitionerFactory,
    ProbationPractitionerFactory,
    UserFactory,
    with_second_factor,
)


def make_category(slug, *, audience=Audience.PRACTITIONERS, kinds=(), marking=Marking.OFFICIAL):
    return ForumCategory.objects.create(
        name=slug.replace("-", " ").capitalize(),
        slug=slug,
        description=f"About {slug}.",
        audience=audience,
        restricted_to_kinds=list(kinds),
        marking=marking,
    )


@pytest.fixture
def cross_agency(db):
    return make_category("risk-management")


@pytest.fixture
def police_only(db):
    return make_category(
        "police-only", audience=Audience.RESTRICTED, kinds=[OrganisationKind.POLICE_FORCE]
    )


@pytest.fixture
def probation_only(db):
    return make_category(
        "probation-only",
        audience=Audience.RESTRICTED,
        kinds=[OrganisationKind.PROBATION_REGION],
        marking=Marking.OFFICIAL_SENSITIVE,
    )


@pytest.fixture
def police(db):
    return PractitionerFactory(first_name="Alex", last_name="Police")


@pytest.fixture
def probation(db):
    return ProbationPractitionerFactory(first_name="Billie", last_name="Probation")


@pytest.fixture
def approved_member(db):
    """Verified by an administrator, not by email domain: first posts wait for approval."""
    return PractitionerFactory(
        first_name="Casey", last_name="Approved", verification_method=VerificationMethod.APPROVAL
    )


@pytest.fixture
def unverified(db):
    return UserFactory()


@pytest.fixture
def suspended(db):
    user = PractitionerFactory(first_name="Dee", last_name="Suspended")
    member = services.member_for(user)
    member.suspended_until = timezone.now() + timedelta(days=7)
    member.save()
    return user


@pytest.fixture
def moderator(db):
    user = User.objects.create_user(
        email="moderator@kx.example", password="x" * 14, first_name="Mo", last_name="Derator"
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    user.groups.add(Group.objects.get(name="Moderators"))
    with_second_factor(user)
    return user


def start_thread(category, author, title="Sharing ARMS practice", body="How do you plan visits?"):
    return services.thread_create(category=category, author=author, title=title, body=body)


@pytest.fixture(autouse=True)
def _generous_rate_limits(settings):
    """Fixtures post a lot; the rate-limit tests set their own limits."""
    settings.KX_FORUM_RATE_LIMITS = {
        **settings.KX_FORUM_RATE_LIMITS,
        "post": (1000, 300),
        "flag": (1000, 600),
    }
