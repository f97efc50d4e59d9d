"""The data migration seeds the organisations practitioners belong to."""

import pytest
from django.db import IntegrityError, transaction

from accounts.models import Organisation, OrganisationDomain, OrganisationKind

pytestmark = pytest.mark.django_db

NATIONAL_BODIES = {
    "Home Office": "homeoffice.gov.uk",
    "Ministry of Justice": "justice.gov.uk",
    "HM Prison and Probation Service": "justice.gov.uk",
    "National Crime Agency": "nca.gov.uk",
    "College of Policing": "college.police.uk",
    "National Police Chiefs' Council": "npcc.police.uk",
}


def test_the_43_territorial_police_forces_are_seeded_each_with_a_police_domain():
    forces = Organisation.objects.filter(kind=OrganisationKind.POLICE_FORCE)

    assert forces.count() == 43
    for force in forces.prefetch_related("domains"):
        domains = [d.domain for d in force.domains.all()]
        assert len(domains) == 1, force
        assert domains[0].endswith(".police.uk"), force
    # Each force has a domain of its own.
    force_domains = OrganisationDomain.objects.filter(organisation__in=forces)
    assert force_domains.values("domain").distinct().count() == 43
    assert forces.filter(name__in=["Kent Police", "Metropolitan Police Service"]).count() == 2


def test_the_12_probation_regions_share_the_justice_domain():
    regions = Organisation.objects.filter(kind=OrganisationKind.PROBATION_REGION)

    assert regions.count() == 12
    assert set(
        OrganisationDomain.objects.filter(organisation__in=regions).values_list(
            "domain", flat=True
        )
    ) == {"justice.gov.uk"}
    assert regions.filter(name="Probation Service – Wales").exists()


def test_the_six_national_bodies_are_seeded_with_their_domains():
    bodies = Organisation.objects.filter(kind=OrganisationKind.NATIONAL_BODY)

    assert {
        body.name: body.domains.get().domain for body in bodies.prefetch_related("domains")
    } == NATIONAL_BODIES


def test_every_seeded_organisation_is_active():
    assert not Organisation.objects.filter(is_active=False).exists()
    assert Organisation.objects.count() == 43 + 12 + 6


def test_domains_are_stored_in_lower_case_without_an_at_sign():
    organisation = Organisation.objects.get(slug="kent-police")

    domain = OrganisationDomain.objects.create(
        organisation=organisation, domain=" @Intel.Kent.Police.UK"
    )

    domain.refresh_from_db()
    assert domain.domain == "intel.kent.police.uk"


def test_the_same_domain_cannot_be_registered_twice_for_one_organisation():
    organisation = Organisation.objects.get(slug="kent-police")

    with pytest.raises(IntegrityError), transaction.atomic():
        OrganisationDomain.objects.create(organisation=organisation, domain="KENT.police.uk")
    assert organisation.domains.count() == 1
