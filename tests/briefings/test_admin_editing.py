"""Editors write briefings in the Wagtail admin."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from wagtail.test.utils.form_data import (
    inline_formset,
    nested_form_data,
    rich_text,
    streamfield,
)

from accounts.models import User
from briefings.models import BriefingPage
from practice_library.models import Topic
from tests.events.factories import EventPageFactory
from tests.factories import with_second_factor

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(db):
    user = User.objects.create_user(email="briefings.editor@kx.example", password="x" * 14)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    user.groups.add(Group.objects.get(name="Editors"))
    with_second_factor(user)
    return user


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def briefing_form(**overrides):
    data = {
        "title": "Joint home visits: interim findings",
        "slug": "joint-home-visits-interim",
        "series": "Joint home visits",
        "number": 1,
        "status": "interim",
        "publication_date": "2026-03-01",
        "summary": "What we have learnt so far.",
        "key_findings": streamfield(
            [("paragraph", rich_text("<p>Visits planned jointly found more.</p>"))]
        ),
        "methods_note": "Interviews.",
        "recommendations": inline_formset(
            [{"number": 1, "text": "Plan visits jointly.", "owner": "both"}]
        ),
        "related_events": inline_formset([]),
        "related_practices": inline_formset([]),
        "audience": "public",
        "marking": "official",
    }
    data.update(overrides)
    form_data = nested_form_data(data)
    form_data["topics"] = [topic.pk for topic in Topic.objects.all()[:2]]
    return form_data


def test_the_add_form_opens_for_an_editor(editor_client, index):
    response = editor_client.get(f"/admin/pages/add/briefings/briefingpage/{index.pk}/")

    assert response.status_code == 200
    assert "Recommendations" in response.content.decode()


def test_an_editor_can_create_a_briefing_with_recommendations(editor_client, index):
    event = EventPageFactory()
    data = briefing_form(related_events=inline_formset([{"page": event.pk}]))

    response = editor_client.post(f"/admin/pages/add/briefings/briefingpage/{index.pk}/", data)

    assert response.status_code == 302, response.content.decode()[:3000]
    briefing = BriefingPage.objects.get(slug="joint-home-visits-interim")
    assert [r.text for r in briefing.recommendations.all()] == ["Plan visits jointly."]
    assert briefing.topics.count() == 2
    assert [link.page_id for link in briefing.related_events.all()] == [event.pk]
    assert not briefing.live


def test_a_briefing_without_a_summary_cannot_be_submitted(editor_client, index):
    data = briefing_form(summary="")
    data["action-submit"] = "action-submit"

    response = editor_client.post(f"/admin/pages/add/briefings/briefingpage/{index.pk}/", data)

    assert response.status_code == 200
    assert not BriefingPage.objects.filter(slug="joint-home-visits-interim").exists()
    assert "This field is required." in response.content.decode()


def test_an_editor_cannot_publish_a_briefing_directly(editor_client, index):
    data = briefing_form()
    data["action-publish"] = "action-publish"

    editor_client.post(f"/admin/pages/add/briefings/briefingpage/{index.pk}/", data)

    briefing = BriefingPage.objects.get(slug="joint-home-visits-interim")
    assert not briefing.live


def test_an_editor_can_preview_a_briefing_with_recommendations(editor_client, index):
    preview_url = f"/admin/pages/add/briefings/briefingpage/{index.pk}/preview/"

    posted = editor_client.post(preview_url, briefing_form())
    response = editor_client.get(preview_url)

    assert posted.json()["is_valid"]
    assert response.status_code == 200
    content = response.content.decode()
    assert "Plan visits jointly." in content
    assert "Proposed" in content


def test_an_administrator_can_create_the_briefings_index_and_it_gets_the_workflow(client):
    from wagtail.models import WorkflowPage

    from briefings.models import BriefingIndexPage
    from kx_site.models import HomePage

    admin = User.objects.create_superuser(email="root@kx.example", password="x" * 14)
    EmailAddress.objects.create(user=admin, email=admin.email, verified=True, primary=True)
    with_second_factor(admin)
    client.force_login(admin)
    home = HomePage.objects.get()

    response = client.post(
        f"/admin/pages/add/briefings/briefingindexpage/{home.pk}/",
        nested_form_data({"title": "Briefings", "slug": "briefings", "intro": "Research."}),
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    index = BriefingIndexPage.objects.get()
    assert WorkflowPage.objects.get(page=index).workflow.name == "Briefing approval"
