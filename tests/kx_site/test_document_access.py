"""Documents are served only to someone who may see a live page that uses them."""

import json

import pytest
from django.core.files.base import ContentFile
from wagtail.documents.models import Document

from kx_site.audience import Audience
from tests.downloads import download
from tests.factories import PractitionerFactory, StandardPageFactory, UserFactory, staff_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def make_document(media_root):
    def make(title="ARMS checklist"):
        document = Document(title=title)
        document.file.save("checklist.txt", ContentFile(b"Plan the visit."), save=False)
        document.save()
        return document

    return make


def link_from_page(document, **page_fields):
    """A published page whose body links the document, indexed as the admin would."""
    body = json.dumps([{"type": "document", "value": {"document": document.pk, "title": ""}}])
    page = StandardPageFactory(body=body, **page_fields)
    page.save_revision().publish()
    return page


@pytest.fixture
def practitioners_page(make_document):
    return link_from_page(make_document(), audience=Audience.PRACTITIONERS)


@pytest.fixture
def practitioners_document(practitioners_page):
    return practitioners_page.body[0].value["document"]


def test_the_page_links_the_document_through_the_checked_view(
    client, practitioners_page, practitioners_document
):
    client.force_login(PractitionerFactory())

    response = client.get(practitioners_page.url)

    assert response.status_code == 200
    assert practitioners_document.url.startswith("/documents/")
    assert f'href="{practitioners_document.url}"' in response.content.decode()


def test_a_practitioner_is_served_a_practitioners_document(client, practitioners_document):
    client.force_login(PractitionerFactory())

    response = download(client, practitioners_document)

    assert response.status_code == 200
    assert response.body == b"Plan the visit."


def test_anonymous_visitors_are_sent_to_sign_in(client, practitioners_document):
    response = download(client, practitioners_document)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/documents/")


def test_a_registered_member_who_is_not_a_practitioner_is_refused(client, practitioners_document):
    client.force_login(UserFactory())

    response = download(client, practitioners_document)

    assert response.status_code == 403


def test_a_document_on_a_public_page_is_served_to_anyone(client, make_document):
    document = make_document()
    link_from_page(document, audience=Audience.PUBLIC)

    assert download(client, document).status_code == 200


def test_one_page_the_reader_may_see_is_enough(client, make_document):
    document = make_document()
    link_from_page(
        document, audience=Audience.RESTRICTED, restricted_to_kinds=["probation_region"]
    )
    link_from_page(document, audience=Audience.REGISTERED)
    client.force_login(UserFactory())

    assert download(client, document).status_code == 200


def test_a_document_used_only_by_a_draft_page_is_refused(client, make_document):
    document = make_document()
    page = link_from_page(document, audience=Audience.PUBLIC)
    page.unpublish()
    client.force_login(PractitionerFactory())

    assert download(client, document).status_code == 403


@pytest.mark.parametrize("kind", ["anonymous", "registered", "practitioner"])
def test_a_document_no_page_uses_is_refused_to_readers(client, make_document, kind):
    document = make_document()
    if kind == "registered":
        client.force_login(UserFactory())
    elif kind == "practitioner":
        client.force_login(PractitionerFactory())

    response = download(client, document)

    assert response.status_code == (302 if kind == "anonymous" else 403)


@pytest.mark.parametrize("group", ["Editors", "Senior editors"])
def test_editors_can_open_a_document_no_page_uses(client, make_document, group):
    document = make_document()
    editor = staff_member(group)
    client.force_login(editor)

    assert download(client, document).status_code == 200


def test_a_superuser_can_open_a_document_no_page_uses(client, make_document):
    document = make_document()
    client.force_login(staff_member("superuser"))

    assert download(client, document).status_code == 200


def test_moderators_are_not_editors_of_documents(client, make_document):
    document = make_document()
    moderator = staff_member("Moderators")
    client.force_login(moderator)

    assert download(client, document).status_code == 403
