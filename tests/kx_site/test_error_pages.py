"""The 404 page, robots.txt and the 403 page use the site's own templates."""

import pytest

pytestmark = pytest.mark.django_db


def template_names(response):
    return [t.name for t in response.templates]


def test_an_unknown_address_gets_the_govuk_404_page(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "404.html" in template_names(response)
    assert "base.html" in template_names(response)
    body = response.content.decode()
    assert "Page not found" in body
    assert "govuk-template" in body


def test_an_unknown_account_address_also_gets_the_404_page(client):
    response = client.get("/accounts/no-such-page/")

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_robots_txt_keeps_crawlers_out_of_admin_and_accounts(client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /admin/" in lines
    assert "Disallow: /accounts/" in lines
    assert any(line.startswith("Sitemap:") for line in lines)


def test_robots_txt_only_answers_get(client):
    assert client.post("/robots.txt").status_code == 405


def test_a_refused_download_gets_the_govuk_403_page(client, media_root):
    from django.core.files.base import ContentFile
    from wagtail.documents.models import Document

    from tests.factories import PractitionerFactory

    document = Document(title="Unused")
    document.file.save("unused.txt", ContentFile(b"x"), save=False)
    document.save()
    client.force_login(PractitionerFactory())

    response = client.get(document.url)

    assert response.status_code == 403
    assert "403.html" in template_names(response)
    assert "You cannot see this page" in response.content.decode()


def test_a_missing_document_is_not_found(client):
    response = client.get("/documents/999999/missing.pdf")

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
