"""factory_boy factories for the foundation's models.

Organisations seeded by the data migration (police forces, probation regions, national bodies)
are looked up by slug rather than created, so tests run against the real registry.
"""

import factory
import wagtail_factories
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.models import Group
from django.utils import timezone
from django.utils.text import slugify
from factory.django import DjangoModelFactory

from accounts.models import (
    Organisation,
    OrganisationDomain,
    OrganisationKind,
    User,
    VerificationMethod,
)
from kx_site.audience import Audience, Marking
from kx_site.models import HomePage, StandardPage

PASSWORD = "a-long-test-password-42"
# The authenticator app secret of every test staff account (accounts.demo.current_totp_code).
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
STAFF_GROUPS = ("Editors", "Senior editors", "Moderators", "Event organisers")


def seeded_organisation(slug):
    return Organisation.objects.get(slug=slug)


class OrganisationFactory(DjangoModelFactory):
    """A new organisation of kind "other"; pass ``domains=[...]`` to register email domains."""

    class Meta:
        model = Organisation
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Partner organisation {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    kind = OrganisationKind.OTHER
    is_active = True

    @factory.post_generation
    def domains(self, create, extracted, **kwargs):
        if create and extracted:
            for domain in extracted:
                OrganisationDomain.objects.create(organisation=self, domain=domain)


class UserFactory(DjangoModelFactory):
    """A signed-up member whose email address is verified (allauth ``EmailAddress``)."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"member{n}@example.org")
    first_name = "Sam"
    last_name = factory.Sequence(lambda n: f"Member{n}")
    job_title = "Researcher"
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def email_verified(self, create, extracted, **kwargs):
        if create:
            verified = True if extracted is None else extracted
            EmailAddress.objects.create(
                user=self, email=self.email, verified=verified, primary=True
            )


class PractitionerFactory(UserFactory):
    """A verified practitioner of Kent Police unless ``organisation`` says otherwise."""

    email = factory.Sequence(lambda n: f"officer{n}@kent.police.uk")
    job_title = "MOSOVO detective constable"
    organisation = factory.LazyFunction(lambda: seeded_organisation("kent-police"))
    verified_at = factory.LazyFunction(timezone.now)
    verification_method = VerificationMethod.DOMAIN


class ProbationPractitionerFactory(PractitionerFactory):
    email = factory.Sequence(lambda n: f"probation{n}@justice.gov.uk")
    job_title = "Probation officer"
    organisation = factory.LazyFunction(lambda: seeded_organisation("probation-service-london"))


class StandardPageFactory(wagtail_factories.PageFactory):
    """A live StandardPage, a child of the home page unless ``parent`` is given."""

    class Meta:
        model = StandardPage

    parent = factory.LazyFunction(lambda: HomePage.objects.get())
    title = factory.Sequence(lambda n: f"Guidance page {n}")
    summary = "A page for tests."
    audience = Audience.PRACTITIONERS
    marking = Marking.OFFICIAL
    live = True


class IndexPageFactory(wagtail_factories.PageFactory):
    """The one index of a kind of page under the home page (``/events/``, ``/briefings/``,
    ``/library/``), created once and then reused; subclasses name the model, title and slug."""

    class Meta:
        abstract = True
        django_get_or_create = ("parent", "slug")

    parent = factory.LazyFunction(lambda: HomePage.objects.get())
    live = True


def with_second_factor(user):
    """Give ``user`` an authenticator app: staff powers apply only once they have one."""
    TOTP.activate(user, TOTP_SECRET)
    return user


def staff_member(role, *, second_factor=True, **fields):
    """A staff account: ``role`` is a staff group name, ``"superuser"`` or ``"is_staff"``.

    With ``second_factor`` (the default) it has an authenticator app, as every working staff
    account must; without, its staff powers do not apply anywhere.
    """
    if role == "superuser":
        user = UserFactory(is_staff=True, is_superuser=True, **fields)
    elif role == "is_staff":
        user = UserFactory(is_staff=True, **fields)
    else:
        user = UserFactory(**fields)
        user.groups.add(Group.objects.get(name=role))
    return with_second_factor(user) if second_factor else user
