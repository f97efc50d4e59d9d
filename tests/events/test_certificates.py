"""Certificates of attendance: who gets one, what the PDF says, and the public check."""

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from events.certificates import (
    _latin_1,
    certificate_issue,
    certificate_pdf,
    normalise_reference,
)
from events.models import Certificate
from kx_site.audience import Marking
from tests.factories import PractitionerFactory

from .factories import EventSessionFactory, VenueFactory
from .test_feedback import past_event, registration_for

pytestmark = pytest.mark.django_db


def certificate_url(registration):
    return reverse("events:certificate", args=[registration.pk])


def pdf_text(content):
    assert content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(content))
    # Extracted text may break lines anywhere; compare with single spaces.
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


@pytest.fixture
def attended():
    event = past_event(
        title="Joint working conference", venue=VenueFactory(name="Etc. Venues, Birmingham")
    )
    plenary = EventSessionFactory(event=event, title="ARMS: what the evaluation found")
    workshop_a = EventSessionFactory(
        event=event,
        title="Workshop A: protective factors",
        start=event.start + timedelta(hours=2),
        end=event.start + timedelta(hours=3, minutes=30),
    )
    EventSessionFactory(
        event=event,
        title="Workshop B: recording on ViSOR",
        start=event.start + timedelta(hours=2),
        end=event.start + timedelta(hours=3, minutes=30),
    )
    user = PractitionerFactory(first_name="Siân", last_name="O’Brien")
    return registration_for(event, user, sessions=[workshop_a]), plenary


def test_an_attended_delegate_downloads_a_pdf_certificate(client, attended):
    registration, _plenary = attended
    client.force_login(registration.user)

    response = client.get(certificate_url(registration))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    text = pdf_text(response.content)
    certificate = Certificate.objects.get(registration=registration)
    for expected in [
        "Certificate of attendance",
        # Helvetica, the fallback where the system has no DejaVu font, has no curly apostrophe.
        "Siân O’Brien"
        if (Path(settings.KX_CERTIFICATE_FONT_DIR) / "DejaVuSans.ttf").exists()
        else "Siân O'Brien",
        "Joint working conference",
        "Etc. Venues, Birmingham",
        "ARMS: what the evaluation found",
        "Workshop A: protective factors",
        "2.5 hours of learning",
        f"Certificate reference: {certificate.reference}",
        f"/my-events/certificates/{certificate.reference}/",
    ]:
        assert expected in text
    assert "Workshop B" not in text
    assert re.fullmatch(r"KX-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", certificate.reference)

    # A second download keeps the reference.
    again = pdf_text(client.get(certificate_url(registration)).content)
    assert certificate.reference in again
    assert Certificate.objects.count() == 1


def test_a_sensitive_events_certificate_names_neither_venue_nor_sessions(client, attended):
    registration, _plenary = attended
    event = registration.event
    event.marking = Marking.OFFICIAL_SENSITIVE
    event.save()
    client.force_login(registration.user)

    content = client.get(certificate_url(registration)).content
    text = pdf_text(content)

    assert "Joint working conference" in text
    assert "2.5 hours of learning" in text
    for hidden in ["Etc. Venues", "ARMS: what the evaluation found", "Workshop A"]:
        assert hidden not in text
        assert hidden.encode() not in content


def test_an_online_event_says_online(client):
    event = past_event(is_online=True, venue=None, joining_link="https://meet.example.org/x")
    registration = registration_for(event)
    client.force_login(registration.user)
    text = pdf_text(client.get(certificate_url(registration)).content)
    assert "Online" in text
    assert "7 hours of learning" in text


def test_the_fallback_font_prints_any_name(settings, attended):
    settings.KX_CERTIFICATE_FONT_DIR = "/nonexistent"
    registration, _plenary = attended
    registration.user.last_name = "Łukasiewicz – 李"
    registration.user.save()
    certificate = certificate_issue(registration=registration)
    text = pdf_text(certificate_pdf(certificate))
    assert "Siân Lukasiewicz - ?" in text
    assert _latin_1("“Zoë” Żak…") == '"Zoë" Zak...'


def test_anonymous_visitors_are_sent_to_sign_in(client, attended):
    registration, _plenary = attended
    response = client.get(certificate_url(registration))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_another_users_registration_is_404(client, attended):
    registration, _plenary = attended
    client.force_login(PractitionerFactory())
    assert client.get(certificate_url(registration)).status_code == 404
    assert not Certificate.objects.exists()


def test_a_delegate_who_did_not_attend_gets_no_certificate(client):
    registration = registration_for(past_event(), attended=False)
    client.force_login(registration.user)
    response = client.get(certificate_url(registration))
    assert response.status_code == 403
    assert "No certificate of attendance" in response.content.decode()
    assert not Certificate.objects.exists()
    with pytest.raises(ValidationError):
        certificate_issue(registration=registration)


def test_no_certificate_before_the_event_ends(client):
    event = past_event(start=timezone.now() - timedelta(hours=1))  # Checked in; not over.
    registration = registration_for(event)
    client.force_login(registration.user)
    response = client.get(certificate_url(registration))
    assert response.status_code == 403
    assert "once the event has ended" in response.content.decode()
    assert not Certificate.objects.exists()


# The public check


def test_anyone_can_check_a_reference(client, attended):
    registration, _plenary = attended
    certificate = certificate_issue(registration=registration)

    response = client.get(reverse("events:certificate_check", args=[certificate.reference]))

    assert response.status_code == 200
    content = response.content.decode()
    assert "This certificate is valid" in content
    assert "Siân O’Brien" in content
    assert "Joint working conference" in content
    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex"
    # Nothing more than the certificate says: no email, no organisation, no needs.
    assert registration.user.email not in content
    assert "Kent Police" not in content


def test_a_typed_reference_is_normalised(client, attended):
    registration, _plenary = attended
    certificate = certificate_issue(registration=registration)
    typed = certificate.reference.lower().replace("-", "- ")
    assert normalise_reference(typed) == certificate.reference
    response = client.get(reverse("events:certificate_check_form"), {"reference": typed})
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "events:certificate_check", args=[certificate.reference]
    )


def test_an_unknown_reference_is_not_found(client):
    response = client.get(reverse("events:certificate_check", args=["KX-AAAA-BBBB-CCCC"]))
    assert response.status_code == 404
    assert "Certificate not found" in response.content.decode()


def test_an_empty_reference_is_a_gov_uk_error(client):
    response = client.get(reverse("events:certificate_check_form"), {"reference": " "})
    assert response.status_code == 200
    content = response.content.decode()
    assert "There is a problem" in content
    assert "Enter the certificate reference" in content


def test_a_cancelled_registration_no_longer_verifies(client, attended):
    registration, _plenary = attended
    certificate = certificate_issue(registration=registration)
    registration.status = "cancelled"
    registration.save()
    response = client.get(reverse("events:certificate_check", args=[certificate.reference]))
    assert response.status_code == 404
