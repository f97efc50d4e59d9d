"""Editors can build every page type and administrators can manage organisations in the admin."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from wagtail.models import Page
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from accounts.models import Organisation, User
from kx_site.audience import Audience
from kx_site.models import HomePage, StandardPage
from tests.factories import with_second_factor

pytestmark = pytest.mark.django_db


def staff_client(client, *, email, groups=(), superuser=False):
    user = User.objects.create_user(
        email=email, password="x" * 14, is_superuser=superuser, is_staff=superuser
    )
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    with_second_factor(user)
    client.force_login(user)
    return user


def test_page_types_sit_where_they_belong():
    home = HomePage.objects.get()
    assert home.get_parent().pk == Page.get_first_root_node().pk
    assert not HomePage.can_create_at(Page.get_first_root_node())  # there is one already
    assert StandardPage.can_create_at(home)
    assert not HomePage.can_create_at(home)  # only one home page


def test_an_editor_can_create_a_standard_page_with_an_audience_and_marking(client):
    staff_client(client, email="editor@kx.example", groups=["Editors"])
    home = HomePage.objects.get()
    police = Organisation.objects.get(name="Kent Police")
    data = nested_form_data(
        {
            "title": "Notification requirements: a checklist",
            "slug": "notification-checklist",
            "summary": "What to check at each notification.",
            "body": streamfield(
                [
                    ("heading", "Before the visit"),
                    ("paragraph", rich_text("<p>Check the record first.</p>")),
                ]
            ),
            "audience": Audience.RESTRICTED,
            "marking": "official_sensitive",
        }
    )
    # Multi-value fields go in as lists, which nested_form_data would flatten.
    data["restricted_to_kinds"] = ["probation_region"]
    data["restricted_to_organisations"] = [police.pk]
    response = client.post(f"/admin/pages/add/kx_site/standardpage/{home.pk}/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    page = StandardPage.objects.get(slug="notification-checklist")
    assert page.restricted_to_kinds == ["probation_region"]
    assert list(page.restricted_to_organisations.all()) == [police]
    assert page.is_sensitive
    assert not page.live  # editors submit; they cannot publish


def test_an_editor_cannot_publish_but_a_senior_editor_can(client):
    staff_client(client, email="senior@kx.example", groups=["Senior editors"])
    home = HomePage.objects.get()
    data = nested_form_data(
        {
            "title": "Published by a senior editor",
            "slug": "published",
            "summary": "",
            "body": streamfield([]),
            "audience": Audience.PUBLIC,
            "marking": "official",
            "action-publish": "publish",
        }
    )
    response = client.post(f"/admin/pages/add/kx_site/standardpage/{home.pk}/", data)
    assert response.status_code == 302
    assert StandardPage.objects.get(slug="published").live

    editor = User.objects.create_user(email="plain.editor@kx.example", password="x" * 14)
    editor.groups.add(Group.objects.get(name="Editors"))
    page = StandardPage.objects.get(slug="published")
    assert not page.permissions_for_user(editor).can_publish()
    assert page.permissions_for_user(editor).can_edit()


def test_an_administrator_manages_organisations_and_their_domains(client):
    staff_client(client, email="admin@kx.example", superuser=True)
    data = nested_form_data(
        {
            "name": "British Transport Police",
            "slug": "british-transport-police",
            "kind": "police_force",
            "is_active": "on",
            "domains": inline_formset([{"domain": "BTP.police.uk"}]),
        }
    )
    response = client.post("/admin/snippets/accounts/organisation/add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    organisation = Organisation.objects.get(slug="british-transport-police")
    assert [d.domain for d in organisation.domains.all()] == ["btp.police.uk"]


def test_groups_without_organisation_permissions_cannot_manage_organisations(client):
    staff_client(client, email="moderator@kx.example", groups=["Moderators"])
    response = client.get("/admin/snippets/accounts/organisation/")
    assert response.status_code in (302, 403)
    assert client.get("/admin/").status_code == 200
