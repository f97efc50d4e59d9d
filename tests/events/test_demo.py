"""seed_demo's events carry topics, a speaker photo, a session handout and a workshop quota,
added once."""

import pytest
from django.core.management import call_command
from wagtail.documents.models import Document
from wagtail.images.models import Image

from events.models import EventPage, EventQuota, EventSessionMaterial, Registration, Speaker
from events.quotas import QuotaBook

pytestmark = pytest.mark.django_db


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (Image, Document, EventSessionMaterial, EventQuota, Registration)
    }


def test_the_demo_events_get_their_extras_once(settings, media_root):
    settings.DEBUG = True

    call_command("seed_demo")
    first = counts()
    call_command("seed_demo")

    assert counts() == first
    conference = EventPage.objects.get(slug="national-arms-conference")
    assert conference.topics.filter(slug="arms-practice").exists()
    assert Speaker.objects.get(name="Dr Helen Ward").photo.width == 240
    (material,) = EventSessionMaterial.objects.filter(session__event=conference)
    assert material.document.file.name.endswith(".pdf")
    assert material.document.file.read(5) == b"%PDF-"
    material.document.file.close()
    workshop = EventPage.objects.get(slug="mappa-risk-workshop")
    assert workshop.quotas_release_at is not None
    assert workshop.topics.filter(slug="mappa").exists()
    # The published revision keeps what seed_demo set, so editing the page does not lose it.
    latest = workshop.get_latest_revision_as_object()
    assert latest.quotas_release_at == workshop.quotas_release_at
    assert {t.slug for t in latest.topics.all()} == {t.slug for t in workshop.topics.all()}
    assert QuotaBook(workshop, workshop.quotas_release_at).active is False
    assert Registration.objects.filter(event=workshop, status="waiting").exists()
