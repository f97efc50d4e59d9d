"""A briefing's PDF is served through the site's document check: only to readers of the page."""

import pytest
from django.core.files.base import ContentFile
from wagtail.documents.models import Document

from kx_site.audience import Audience
from tests.downloads import download
from tests.factories import PractitionerFactory, ProbationPractitionerFactory, UserFactory

from .factories import BriefingPageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def make_pdf(media_root):
    def make():
        document = Document(title="Briefing PDF")
        document.file.save("briefing.pdf", ContentFile(b"%PDF-1.4 findings"), save=False)
        document.save()
        return document

    return make


def briefing_with_pdf(pdf, **fields):
    """Published the way the admin does, so Wagtail's reference index records the PDF."""
    briefing = BriefingPageFactory(pdf=pdf, live=False, **fields)
    briefing.save_revision().publish()
    return briefing


def test_the_briefing_links_its_pdf_through_the_checked_view(client, make_pdf):
    pdf = make_pdf()
    briefing = briefing_with_pdf(pdf)
    client.force_login(PractitionerFactory())

    content = client.get(briefing.url).content.decode()

    assert f'href="{pdf.url}"' in content
    assert pdf.url.startswith("/documents/")


@pytest.mark.parametrize(
    ("kind", "expected"),
    [("anonymous", 302), ("registered", 403), ("probation", 403), ("police", 200)],
)
def test_a_police_only_briefings_pdf_is_served_only_to_police(client, make_pdf, kind, expected):
    pdf = make_pdf()
    briefing_with_pdf(pdf, audience=Audience.RESTRICTED, restricted_to_kinds=["police_force"])
    users = {
        "registered": UserFactory,
        "probation": ProbationPractitionerFactory,
        "police": PractitionerFactory,
    }
    if kind in users:
        client.force_login(users[kind]())

    response = download(client, pdf)

    assert response.status_code == expected
    if expected == 200:
        assert response.body == b"%PDF-1.4 findings"


def test_a_public_briefings_pdf_is_served_to_anyone(client, make_pdf):
    pdf = make_pdf()
    briefing_with_pdf(pdf, audience=Audience.PUBLIC)

    assert download(client, pdf).status_code == 200


def test_the_pdf_of_an_unpublished_briefing_is_refused(client, make_pdf):
    pdf = make_pdf()
    briefing = briefing_with_pdf(pdf, audience=Audience.PUBLIC)
    briefing.refresh_from_db()
    briefing.unpublish()
    client.force_login(PractitionerFactory())

    assert download(client, pdf).status_code == 403
