"""The sitemap lists public pages only."""

import pytest

from .audience_cases import LEVELS, make_page

pytestmark = pytest.mark.django_db


def test_the_sitemap_lists_only_public_pages(client):
    pages = {level: make_page(level) for level in LEVELS}

    response = client.get("/sitemap.xml")

    assert response.status_code == 200
    body = response.content.decode()
    assert f"/{pages['public'].slug}/</loc>" in body
    for level, page in pages.items():
        if level != "public":
            assert f"/{page.slug}/" not in body, level
    # The seeded public pages are there too.
    assert "/about/</loc>" in body


def test_the_sitemap_leaves_out_draft_pages(client):
    draft = make_page("public", live=False)

    assert f"/{draft.slug}/" not in client.get("/sitemap.xml").content.decode()
