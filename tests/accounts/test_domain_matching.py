"""Which organisations an email address proves membership of."""

import pytest

from accounts.models import Organisation, OrganisationKind
from accounts.services import organisations_for_email, organisations_for_user
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def names(queryset):
    return sorted(queryset.values_list("name", flat=True))


def test_an_exact_domain_matches_its_organisation():
    assert names(organisations_for_email("pc.jones@kent.police.uk")) == ["Kent Police"]


def test_matching_ignores_case():
    assert names(organisations_for_email("PC.Jones@KENT.Police.UK")) == ["Kent Police"]


def test_a_subdomain_matches_its_parent_domain():
    assert names(organisations_for_email("a.b@mosovo.kent.police.uk")) == ["Kent Police"]


def test_the_most_specific_registered_domain_wins():
    OrganisationFactory(name="Kent MOSOVO unit", domains=["mosovo.kent.police.uk"])

    assert names(organisations_for_email("x@mosovo.kent.police.uk")) == ["Kent MOSOVO unit"]
    assert names(organisations_for_email("x@kent.police.uk")) == ["Kent Police"]


def test_a_shared_domain_offers_every_organisation_that_uses_it():
    matches = organisations_for_email("probation.officer@justice.gov.uk")

    assert matches.count() == 14
    assert {o.kind for o in matches} == {
        OrganisationKind.PROBATION_REGION,
        OrganisationKind.NATIONAL_BODY,
    }
    assert "Ministry of Justice" in names(matches)
    assert "HM Prison and Probation Service" in names(matches)


def test_a_specific_domain_under_a_shared_one_wins_over_it():
    OrganisationFactory(name="Justice digital", domains=["digital.justice.gov.uk"])

    assert names(organisations_for_email("dev@digital.justice.gov.uk")) == ["Justice digital"]


@pytest.mark.parametrize(
    "email",
    [
        "someone@example.org",
        "someone@police.uk",  # only the parent of registered domains
        "someone@gov.uk",
        "someone@kent.police.uk.evil.example",
        "someone@notkent.police.uk",
    ],
)
def test_an_unknown_domain_matches_nothing(email):
    assert not organisations_for_email(email).exists()


def test_an_inactive_organisation_is_not_matched():
    Organisation.objects.filter(slug="kent-police").update(is_active=False)

    assert not organisations_for_email("pc@kent.police.uk").exists()


def test_an_inactive_specific_organisation_falls_back_to_the_broader_domain():
    OrganisationFactory(name="Closed unit", domains=["unit.kent.police.uk"], is_active=False)

    assert names(organisations_for_email("pc@unit.kent.police.uk")) == ["Kent Police"]


def test_only_verified_addresses_count_for_a_user():
    user = UserFactory(email="someone@example.org")
    user.emailaddress_set.create(email="someone@kent.police.uk", verified=False)

    assert not organisations_for_user(user).exists()

    user.emailaddress_set.filter(email="someone@kent.police.uk").update(verified=True)
    assert names(organisations_for_user(user)) == ["Kent Police"]


def test_a_user_with_many_addresses_is_matched_in_a_fixed_number_of_queries(
    django_assert_num_queries,
):
    user = UserFactory(email="someone@example.org")
    for address in [
        "a@kent.police.uk",
        "b@mosovo.kent.police.uk",
        "c@justice.gov.uk",
        "d@unknown.example",
    ]:
        user.emailaddress_set.create(email=address, verified=True)

    # The addresses, the domains, then the organisations themselves.
    with django_assert_num_queries(3):
        matched = names(organisations_for_user(user))

    assert "Kent Police" in matched
    assert len(matched) > 2  # justice.gov.uk belongs to several organisations
