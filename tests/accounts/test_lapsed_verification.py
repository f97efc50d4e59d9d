"""A practitioner whose yearly confirmation is overdue is read-only until they confirm."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import audit
from kx_site.audience import Audience
from tests.factories import PractitionerFactory, StandardPageFactory

pytestmark = pytest.mark.django_db

RECONFIRM_URL = reverse("accounts:reconfirm")


@pytest.fixture
def lapsed(settings):
    return PractitionerFactory(
        verified_at=timezone.now() - settings.KX_VERIFICATION_VALID_FOR - timedelta(days=1)
    )


@pytest.fixture
def lapsed_client(client, lapsed):
    client.force_login(lapsed)
    return client


def test_verification_lapses_after_the_configured_period(settings):
    settings.KX_VERIFICATION_VALID_FOR = timedelta(days=30)
    recent = PractitionerFactory(verified_at=timezone.now() - timedelta(days=29))
    overdue = PractitionerFactory(verified_at=timezone.now() - timedelta(days=31))

    assert not recent.verification_lapsed
    assert recent.can_contribute
    assert overdue.verification_lapsed
    assert not overdue.can_contribute
    assert overdue.is_practitioner  # still reads practitioner material


@pytest.mark.parametrize("path", ["/", "/about/", "/documents/1/x.pdf"])
def test_a_write_outside_the_account_area_is_sent_to_confirm(lapsed_client, path):
    response = lapsed_client.post(path, {"anything": "x"})

    assert response.status_code == 302
    assert response["Location"] == RECONFIRM_URL


def test_a_current_practitioner_is_not_stopped(practitioner_client):
    response = practitioner_client.post("/", {"anything": "x"})

    assert response.get("Location") != RECONFIRM_URL


def test_a_lapsed_practitioner_can_still_read_practitioner_pages(lapsed_client):
    page = StandardPageFactory(audience=Audience.PRACTITIONERS, title="ARMS home visits")

    response = lapsed_client.get(page.url)

    assert response.status_code == 200
    assert "ARMS home visits" in response.content.decode()


def test_a_lapsed_practitioner_can_still_manage_their_account(lapsed_client, lapsed):
    response = lapsed_client.post(
        reverse("accounts:profile"),
        {"first_name": "Pat", "last_name": "Jones", "job_title": "DS"},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile")
    lapsed.refresh_from_db()
    assert lapsed.job_title == "DS"


def test_the_site_tells_a_lapsed_practitioner_to_confirm(lapsed_client):
    response = lapsed_client.get("/")

    assert response.context["show_verification_lapsed"] is True


def test_confirming_renews_verification(lapsed_client, lapsed):
    assert lapsed_client.get(RECONFIRM_URL).status_code == 200
    before = timezone.now()

    response = lapsed_client.post(
        RECONFIRM_URL, {"still_member": "on", "job_title": "Detective sergeant"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile")
    lapsed.refresh_from_db()
    assert lapsed.verified_at >= before
    assert not lapsed.verification_lapsed
    assert lapsed.job_title == "Detective sergeant"
    assert lapsed.organisation.slug == "kent-police"
    entry = audit.entries_for(lapsed).get(action=audit.VERIFICATION_CONFIRMED)
    assert "Detective sergeant" in entry.data["detail"]
    # Writes are allowed again.
    assert lapsed_client.post("/", {}).get("Location") != RECONFIRM_URL


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"job_title": "DS"}, "still_member", "Confirm that you still work for this organisation"),
        ({"still_member": "on", "job_title": ""}, "job_title", "Enter your role"),
        ({"still_member": "on", "job_title": "x" * 201}, "job_title", "at most 200 characters"),
    ],
)
def test_bad_input_gives_a_clear_error_and_changes_nothing(
    lapsed_client, lapsed, data, field, message
):
    verified_at, job_title = lapsed.verified_at, lapsed.job_title

    response = lapsed_client.post(RECONFIRM_URL, data)

    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert message in response.content.decode()
    lapsed.refresh_from_db()
    assert (lapsed.verified_at, lapsed.job_title) == (verified_at, job_title)
    assert lapsed.verification_lapsed
    assert not audit.ACCOUNT_LOG.entries().filter(action=audit.VERIFICATION_CONFIRMED).exists()


def test_a_member_who_is_not_a_practitioner_has_nothing_to_confirm(user_client, user):
    response = user_client.post(RECONFIRM_URL, {"still_member": "on", "job_title": "DS"})

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile")
    user.refresh_from_db()
    assert user.verified_at is None
    assert not audit.ACCOUNT_LOG.entries().exists()
