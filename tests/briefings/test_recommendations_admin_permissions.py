"""Who may use the recommendations screens in the admin: the "change" permission on
Recommendation (granted to "Editors" and "Senior editors"), through the model's Wagtail
permission policy and only with a second factor; then only for briefings the user may edit."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from wagtail.models import GroupPagePermission, Page
from wagtail.permissions import policy_registry

from briefings.models import Recommendation
from tests.briefings.factories import RecommendationFactory
from tests.factories import PractitionerFactory, UserFactory, staff_member, with_second_factor

pytestmark = pytest.mark.django_db

REFUSED = {
    "anonymous": lambda: None,
    "member": UserFactory,
    "practitioner": PractitionerFactory,
    "editor without a second factor": lambda: staff_member("Editors", second_factor=False),
    "superuser without a second factor": lambda: staff_member("superuser", second_factor=False),
    "moderator": lambda: staff_member("Moderators"),
    "event organiser": lambda: staff_member("Event organisers"),
}
ALLOWED = {
    "editor": lambda: staff_member("Editors"),
    "senior editor": lambda: staff_member("Senior editors"),
    "superuser": lambda: staff_member("superuser"),
}


def sign_in(client, make):
    user = make()
    if user is not None:
        client.force_login(user)
    return user


@pytest.fixture
def recommendation():
    return RecommendationFactory(text="Forces should share heronsbridge outcomes.")


@pytest.mark.parametrize("role", REFUSED)
def test_the_screens_are_refused(client, recommendation, role):
    sign_in(client, REFUSED[role])
    status_url = reverse("briefings_recommendations:status", args=[recommendation.pk])

    for url in (
        reverse("briefings_recommendations:index"),
        reverse("briefings_recommendations:index") + "?export=csv",
        status_url,
    ):
        response = client.get(url)
        assert response.status_code in (302, 403), url
        assert b"heronsbridge" not in response.content
    response = client.post(status_url, {"status": "accepted", "date": "2026-02-03"})

    assert response.status_code in (302, 403)
    assert not recommendation.history.exists()


@pytest.mark.parametrize("role", ALLOWED)
def test_the_screens_open_for_editors(client, recommendation, role):
    sign_in(client, ALLOWED[role])

    listing = client.get("/admin/briefings/recommendations/")
    form = client.get(f"/admin/briefings/recommendations/{recommendation.pk}/status/")

    assert listing.status_code == 200
    assert "heronsbridge" in listing.content.decode()
    assert recommendation.briefing.title in listing.content.decode()
    assert form.status_code == 200


@pytest.mark.parametrize(
    ("role", "shown"),
    [("editor", True), ("senior editor", True), ("superuser", True), ("moderator", False)],
)
def test_the_menu_item_follows_the_permission_policy(client, role, shown):
    sign_in(client, {**ALLOWED, **REFUSED}[role])

    response = client.get("/admin/")

    assert response.status_code == 200
    assert ('"url": "/admin/briefings/recommendations/"' in response.content.decode()) is shown


def test_the_permission_alone_does_not_open_a_briefing_the_user_may_not_edit(
    client, recommendation
):
    """A group with the model permission but page permissions elsewhere in the tree."""
    other = RecommendationFactory(text="Probation should record leaf outcomes.")
    editor = staff_member("Editors")
    group = editor.groups.get()
    GroupPagePermission.objects.filter(group=group).delete()
    for permission in ("add_page", "change_page"):
        GroupPagePermission.objects.create(
            group=group,
            page=Page.objects.get(pk=other.briefing.pk),
            permission=Permission.objects.get(
                codename=permission, content_type__app_label="wagtailcore"
            ),
        )
    client.force_login(editor)

    listing = client.get("/admin/briefings/recommendations/")
    refused = client.post(
        f"/admin/briefings/recommendations/{recommendation.pk}/status/",
        {"status": "accepted", "date": "2026-02-03"},
    )
    allowed = client.get(f"/admin/briefings/recommendations/{other.pk}/status/")

    assert "leaf outcomes" in listing.content.decode()
    assert "heronsbridge" not in listing.content.decode()
    assert refused.status_code in (302, 403)
    assert not recommendation.history.exists()
    assert allowed.status_code == 200


def test_the_list_downloads_as_csv(client, recommendation):
    sign_in(client, ALLOWED["editor"])

    response = client.get("/admin/briefings/recommendations/?export=csv")

    assert response.status_code == 200
    content = b"".join(response.streaming_content).decode()
    assert "Briefing,Number,Recommendation,Owner,Status" in content
    assert "heronsbridge" in content
    assert "Proposed" in content


def test_the_policy_gives_nothing_without_a_second_factor():
    editor = staff_member("Editors", second_factor=False)
    policy = policy_registry.get_by_type(Recommendation)

    assert editor.has_perm("briefings.change_recommendation")
    assert not policy.user_has_permission(editor, "change")
    with_second_factor(editor)
    editor = type(editor).objects.get(pk=editor.pk)
    assert policy.user_has_permission(editor, "change")
