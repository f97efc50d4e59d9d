"""Restricted practices reach nobody else: not the page, attachment, list, counts or sitemap.

(The page itself and the list and counts are covered in test_pages.py and
test_library_index.py; here the channels that go round the page.)
"""

import pytest
from django.core.files.base import ContentFile
from wagtail.documents.models import Document

from accounts.models import OrganisationKind
from kx_site.audience import Audience
from practice_library.models import PracticeAttachment
from tests.downloads import download
from tests.factories import PractitionerFactory, ProbationPractitionerFactory, UserFactory

from .factories import PracticePageFactory

pytestmark = pytest.mark.django_db

POLICE_ONLY = {
    "audience": Audience.RESTRICTED,
    "restricted_to_kinds": [OrganisationKind.POLICE_FORCE],
}


@pytest.fixture
def attached(media_root):
    """A police-only practice, published with a document attached."""
    document = Document(title="Visit plan")
    document.file.save("visit-plan.pdf", ContentFile(b"%PDF-1.4 plan"), save=False)
    document.save()
    practice = PracticePageFactory(title="Police visit plans", live=False, **POLICE_ONLY)
    practice.attachments = [PracticeAttachment(document=document)]
    practice.save_revision().publish()
    return practice, document


def test_the_practice_page_links_its_attachment(client, attached):
    practice, document = attached
    client.force_login(PractitionerFactory())

    body = client.get(practice.url).content.decode()

    assert f'href="{document.url}"' in body
    assert "Visit plan" in body


def test_the_attachment_is_served_to_those_who_may_see_the_practice(client, attached):
    _practice, document = attached
    client.force_login(PractitionerFactory())

    response = download(client, document)

    assert response.status_code == 200
    assert response.body == b"%PDF-1.4 plan"


@pytest.mark.parametrize(
    ("who", "expected"), [("anonymous", 302), ("member", 403), ("probation", 403)]
)
def test_the_attachment_is_refused_to_everyone_else(client, attached, who, expected):
    _practice, document = attached
    if who == "member":
        client.force_login(UserFactory())
    if who == "probation":
        client.force_login(ProbationPractitionerFactory())

    response = download(client, document)

    assert response.status_code == expected
    assert b"plan" not in response.body


def test_an_attachment_of_a_draft_practice_is_served_to_nobody(client, media_root):
    document = Document(title="Draft plan")
    document.file.save("draft.pdf", ContentFile(b"%PDF draft"), save=False)
    document.save()
    practice = PracticePageFactory(audience=Audience.PUBLIC, live=False)
    practice.attachments = [PracticeAttachment(document=document)]
    practice.save_revision()
    client.force_login(PractitionerFactory())

    assert download(client, document).status_code == 403


def test_the_sitemap_lists_public_practices_only(client):
    public = PracticePageFactory(title="Open practice", audience=Audience.PUBLIC)
    practitioners = PracticePageFactory(title="Practitioner practice")
    police = PracticePageFactory(title="Police practice", **POLICE_ONLY)

    body = client.get("/sitemap.xml").content.decode()

    assert f"{public.url}</loc>" in body
    assert practitioners.url not in body
    assert police.url not in body
    assert "/library/</loc>" in body
