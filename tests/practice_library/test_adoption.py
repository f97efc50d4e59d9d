"""A verified practitioner records that their organisation adopted or adapted a practice."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from accounts.models import OrganisationKind
from kx_site.audience import Audience
from practice_library.models import Adoption
from practice_library.services import adoption_record
from tests.factories import (
    PractitionerFactory,
    ProbationPractitionerFactory,
    UserFactory,
    seeded_organisation,
)

from .factories import PracticePageFactory

pytestmark = pytest.mark.django_db


def adopt_url(practice):
    return f"/library/{practice.pk}/adopt/"


FORM = {"kind": "adapted", "note": "We run it with two officers.", "own_evaluation": ""}


def test_a_practitioner_records_an_adoption_and_the_page_lists_it(client):
    practice = PracticePageFactory()
    client.force_login(ProbationPractitionerFactory())

    response = client.post(adopt_url(practice), FORM)

    assert response.status_code == 302
    assert response["Location"] == practice.url + "#adoptions"
    adoption = Adoption.objects.get()
    assert adoption.organisation == seeded_organisation("probation-service-london")
    assert adoption.kind == "adapted"
    page = client.get(practice.url).content.decode()
    assert "Probation Service – London" in page
    assert "adapted it" in page
    assert "We run it with two officers." in page
    assert "Update what Probation Service – London did" in page


def test_a_second_record_from_the_same_organisation_updates_the_first(client):
    practice = PracticePageFactory()
    client.force_login(ProbationPractitionerFactory())
    client.post(adopt_url(practice), FORM)
    client.force_login(ProbationPractitionerFactory())  # a colleague in the same region

    client.post(adopt_url(practice), {**FORM, "kind": "adopted", "own_evaluation": "It works."})

    adoption = Adoption.objects.get()
    assert adoption.kind == "adopted"
    assert adoption.own_evaluation == "It works."


def test_a_missing_answer_gets_a_gov_uk_error_and_keeps_the_note(client):
    practice = PracticePageFactory()
    client.force_login(ProbationPractitionerFactory())

    response = client.post(adopt_url(practice), {**FORM, "kind": ""})

    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert "Select whether your organisation adopted or adapted it" in body
    assert "We run it with two officers." in body
    assert not Adoption.objects.exists()


@pytest.mark.parametrize("who", ["unverified email", "member without organisation"])
def test_people_who_cannot_contribute_are_refused(client, who):
    practice = PracticePageFactory(audience=Audience.PUBLIC)
    users = {
        "unverified email": lambda: UserFactory(email_verified=False),
        "member without organisation": UserFactory,
    }
    client.force_login(users[who]())

    response = client.post(adopt_url(practice), FORM)

    assert response.status_code == 403
    assert "Only verified practitioners can do this" in response.content.decode()
    assert not Adoption.objects.exists()


def test_a_lapsed_practitioner_is_sent_to_confirm_their_details(client):
    practice = PracticePageFactory(audience=Audience.PUBLIC)
    client.force_login(PractitionerFactory(verified_at=timezone.now() - timedelta(days=400)))

    response = client.post(adopt_url(practice), FORM)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/verification/confirm/"
    assert not Adoption.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    practice = PracticePageFactory(audience=Audience.PUBLIC)

    response = client.post(adopt_url(practice), FORM)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not Adoption.objects.exists()


def test_a_practice_the_practitioner_cannot_see_is_not_found(client):
    practice = PracticePageFactory(
        audience=Audience.RESTRICTED, restricted_to_kinds=[OrganisationKind.POLICE_FORCE]
    )
    client.force_login(ProbationPractitionerFactory())

    response = client.post(adopt_url(practice), FORM)

    assert response.status_code == 404
    assert not Adoption.objects.exists()


def test_a_draft_practice_is_not_found(client):
    practice = PracticePageFactory(live=False)
    client.force_login(ProbationPractitionerFactory())

    assert client.post(adopt_url(practice), FORM).status_code == 404


def test_only_post_is_allowed(client):
    practice = PracticePageFactory()
    client.force_login(ProbationPractitionerFactory())

    assert client.get(adopt_url(practice)).status_code == 405


def test_the_form_is_offered_to_contributors_only(client):
    practice = PracticePageFactory(audience=Audience.PUBLIC)

    assert "Record it" not in client.get(practice.url).content.decode()
    client.force_login(UserFactory())
    assert "Record it" not in client.get(practice.url).content.decode()
    client.force_login(ProbationPractitionerFactory())
    assert "Record it" in client.get(practice.url).content.decode()


def test_the_service_refuses_what_the_view_refuses():
    practice = PracticePageFactory(
        audience=Audience.RESTRICTED, restricted_to_kinds=[OrganisationKind.POLICE_FORCE]
    )
    with pytest.raises(PermissionDenied):
        adoption_record(
            practice=practice, user=ProbationPractitionerFactory(), kind="adopted", note="x"
        )
    with pytest.raises(PermissionDenied):
        adoption_record(practice=practice, user=UserFactory(), kind="adopted", note="x")
    assert adoption_record(
        practice=practice, user=PractitionerFactory(), kind="adopted", note="x"
    ).organisation == seeded_organisation("kent-police")
