"""What a visitor gets when they open a page, for every audience level and kind of user."""

import pytest
from django.urls import reverse

from kx_site.audience import Marking

from .audience_cases import ALLOWED, LEVELS, USERS, make_page, make_user

pytestmark = pytest.mark.django_db

# What the 403 page says to each kind of user who may not see a page.
EXPLANATIONS = {
    "unconfirmed": "confirmed their email address",
    "registered": "only for verified practitioners",
    "probation": "only for members of particular organisations",
    "essex": "only for members of particular organisations",
}


def get_page(client, level, kind, **page_fields):
    page = make_page(level, **page_fields)
    user = make_user(kind)
    if kind != "anonymous":
        client.force_login(user)
    return page, client.get(page.url)


@pytest.mark.parametrize(("level", "kind"), [(lv, k) for lv in LEVELS for k in USERS])
def test_the_page_answers_according_to_the_audience(client, level, kind):
    page, response = get_page(client, level, kind)

    if kind in ALLOWED[level]:
        assert response.status_code == 200
        assert page.title in response.content.decode()
    elif kind == "anonymous":
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('account_login')}?next={page.url}"
    else:
        assert response.status_code == 403
        body = response.content.decode()
        assert EXPLANATIONS[kind] in body
        assert page.title not in body


@pytest.mark.parametrize("level", [lv for lv in LEVELS if lv != "public"])
def test_a_non_public_page_is_never_stored_by_shared_caches(client, level):
    _page, response = get_page(client, level, "superuser")

    assert response.status_code == 200
    cache_control = response["Cache-Control"]
    assert "private" in cache_control
    assert "no-store" in cache_control


def test_a_refusal_is_not_cached_either(client):
    _page, response = get_page(client, "practitioners", "registered")

    assert response.status_code == 403
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


def test_a_public_page_may_be_cached(client):
    _page, response = get_page(client, "public", "anonymous")

    assert "private" not in response.get("Cache-Control", "")
    assert "no-store" not in response.get("Cache-Control", "")


@pytest.mark.parametrize(
    ("marking", "shown"),
    [(Marking.OFFICIAL, "OFFICIAL"), (Marking.OFFICIAL_SENSITIVE, "OFFICIAL-SENSITIVE")],
)
def test_an_allowed_reader_sees_the_handling_marking(client, marking, shown):
    _page, response = get_page(client, "practitioners", "kent", marking=marking)

    assert response.status_code == 200
    body = response.content.decode()
    assert shown in body
    if marking == Marking.OFFICIAL:
        assert "OFFICIAL-SENSITIVE" not in body


def test_the_refusal_page_links_to_asking_for_verification(client):
    _page, response = get_page(client, "practitioners", "registered")

    assert reverse("accounts:verification_request") in response.content.decode()


def test_a_restricted_refusal_names_the_readers_organisation(client):
    _page, response = get_page(client, "kent_police_only", "essex")

    assert "Essex Police" in response.content.decode()


def test_a_draft_page_is_not_served_to_anyone_on_the_site(client):
    page = make_page("public", live=False)

    assert client.get(f"/{page.slug}/").status_code == 404
