"""can_view and visible_to decide who may see what, and always agree."""

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.models import Organisation, OrganisationKind
from kx_site.audience import Audience, access_refusal, can_view, visible_to
from kx_site.models import StandardPage
from tests.factories import PractitionerFactory, ProbationPractitionerFactory, StandardPageFactory

from .audience_cases import ALLOWED, LEVELS, USERS, make_page, make_user

pytestmark = pytest.mark.django_db

MATRIX = [(level, kind) for level in LEVELS for kind in USERS]


@pytest.mark.parametrize(("level", "kind"), MATRIX)
def test_can_view(level, kind):
    page = make_page(level)
    user = make_user(kind)

    assert can_view(user, page) is (kind in ALLOWED[level])


@pytest.mark.parametrize("kind", USERS)
def test_visible_to_keeps_exactly_what_can_view_allows(kind):
    pages = {level: make_page(level) for level in LEVELS}
    user = make_user(kind)

    visible = set(
        visible_to(StandardPage.objects.filter(pk__in=[p.pk for p in pages.values()]), user)
    )

    assert visible == {page for level, page in pages.items() if kind in ALLOWED[level]}
    assert visible == {page for page in pages.values() if can_view(user, page)}


@pytest.mark.parametrize(
    ("kind", "code"),
    [
        ("anonymous", "sign_in"),
        ("unconfirmed", "verify_email"),
        ("registered", "verify_practitioner"),
        ("probation", "restricted"),
        ("kent", None),
    ],
)
def test_the_refusal_says_what_is_missing(kind, code):
    assert access_refusal(make_user(kind), make_page("police_only")) == code


def test_a_page_restricted_to_several_kinds_admits_each():
    page = make_page(
        "police_only",
        restricted_to_kinds=[OrganisationKind.POLICE_FORCE, OrganisationKind.PROBATION_REGION],
    )
    hmpps = PractitionerFactory(
        email="hq@justice.gov.uk",
        organisation=Organisation.objects.get(name="HM Prison and Probation Service"),
    )

    assert can_view(PractitionerFactory(), page)
    assert can_view(ProbationPractitionerFactory(), page)
    assert not can_view(hmpps, page)
    assert set(visible_to(StandardPage.objects.filter(pk=page.pk), hmpps)) == set()


def test_kinds_and_organisations_together_admit_either():
    page = make_page("police_only")
    london = Organisation.objects.get(slug="probation-service-london")
    page.restricted_to_organisations.set([london])
    page.save()
    londoner = ProbationPractitionerFactory()
    wales = ProbationPractitionerFactory(
        organisation=Organisation.objects.get(slug="probation-service-wales")
    )

    for user, allowed in [(londoner, True), (wales, False), (PractitionerFactory(), True)]:
        assert can_view(user, page) is allowed
        assert visible_to(StandardPage.objects.filter(pk=page.pk), user).exists() is allowed


def test_a_restricted_page_with_nothing_chosen_is_for_nobody_but_superusers():
    page = StandardPageFactory(audience=Audience.RESTRICTED)

    assert not can_view(PractitionerFactory(), page)
    assert not visible_to(StandardPage.objects.filter(pk=page.pk), PractitionerFactory()).exists()
    assert can_view(make_user("superuser"), page)


def test_visible_to_returns_each_page_once_however_many_organisations_match():
    page = make_page("kent_police_only")
    page.restricted_to_organisations.add(Organisation.objects.get(slug="essex-police"))
    page.restricted_to_kinds = [OrganisationKind.POLICE_FORCE]
    page.save()

    assert list(visible_to(StandardPage.objects.filter(pk=page.pk), PractitionerFactory())) == [
        page
    ]


def test_a_lapsed_practitioner_still_reads(settings):
    from datetime import timedelta

    from django.utils import timezone

    lapsed = PractitionerFactory(
        verified_at=timezone.now() - settings.KX_VERIFICATION_VALID_FOR - timedelta(days=1)
    )
    page = make_page("police_only")

    assert can_view(lapsed, page)
    assert visible_to(StandardPage.objects.filter(pk=page.pk), lapsed).exists()


def test_anonymous_sees_only_public_pages_among_the_seeded_ones():
    visible = visible_to(StandardPage.objects.all(), AnonymousUser())

    assert set(visible.values_list("slug", flat=True)) >= {"about", "privacy", "contact"}
    assert all(page.audience == Audience.PUBLIC for page in visible)
