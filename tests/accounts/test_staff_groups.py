"""The staff groups hold exactly the Wagtail permissions KX gives them.

Wagtail's own migrations create "Editors" and "Moderators" groups with defaults of their own
(moderators may publish any page; both hold model-wide document and image permissions); KX's
groups replace those.
"""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.documents import get_document_model
from wagtail.models import GroupCollectionPermission, GroupPagePermission
from wagtail.permissions import policy_registry

from kx_site.models import HomePage
from tests.factories import PractitionerFactory, UserFactory

pytestmark = pytest.mark.django_db

GROUP_NAMES = ["Editors", "Senior editors", "Moderators", "Event organisers"]


def member_of(name):
    user = UserFactory()
    user.groups.add(Group.objects.get(name=name))
    return user


TOPIC_EDITING = {"add_topic", "change_topic", "view_topic"}
# Other names for topics and organisations that imports recognise (issue 12).
IMPORT_ALIASES = {
    "add_importalias",
    "change_importalias",
    "delete_importalias",
    "view_importalias",
}
# Changing recommendations' statuses in the admin (briefings migration 0003).
RECOMMENDATION_STATUS = {"change_recommendation"}
MODEL_PERMISSIONS = {
    "Editors": {"access_admin"} | TOPIC_EDITING | IMPORT_ALIASES | RECOMMENDATION_STATUS,
    # An import publishes pages, so only those who may publish may run one.
    "Senior editors": {"access_admin", "import_practices"}
    | TOPIC_EDITING
    | IMPORT_ALIASES
    | RECOMMENDATION_STATUS,
    "Moderators": {
        "access_admin",
        "moderate_forums",
        "add_forumcategory",
        "change_forumcategory",
        "view_forumcategory",
    },
    # The organiser tools (events.permissions): a model permission, not the group's name.
    "Event organisers": {"access_admin", "organise_events"},
}


@pytest.mark.parametrize("name", GROUP_NAMES)
def test_each_staff_group_may_open_the_admin_and_holds_only_its_model_permissions(name):
    group = Group.objects.get(name=name)

    assert {p.codename for p in group.permissions.all()} == MODEL_PERMISSIONS[name]


@pytest.mark.parametrize(
    ("name", "codenames"),
    [
        ("Editors", {"add_page", "change_page"}),
        (
            "Senior editors",
            {"add_page", "change_page", "publish_page", "lock_page", "unlock_page"},
        ),
        ("Moderators", set()),
        ("Event organisers", set()),
    ],
)
def test_page_permissions(name, codenames):
    granted = GroupPagePermission.objects.filter(group__name=name)

    assert {p.permission.codename for p in granted} == codenames


def test_only_senior_editors_publish_pages():
    home = HomePage.objects.get()

    for name in GROUP_NAMES:
        can_publish = home.permissions_for_user(member_of(name)).can_publish()
        assert can_publish is (name == "Senior editors"), name


def test_only_editors_and_senior_editors_change_documents_others_uploaded():
    document_policy = policy_registry.get_by_type(get_document_model())
    document = get_document_model().objects.create(title="Uploaded by someone else")

    for name in GROUP_NAMES:
        allowed = document_policy.user_has_permission_for_instance(
            member_of(name), "change", document
        )
        assert allowed is (name in {"Editors", "Senior editors"}), name


def test_moderators_and_organisers_have_no_collection_permissions():
    assert not GroupCollectionPermission.objects.filter(
        group__name__in=["Moderators", "Event organisers"]
    ).exists()


def test_pages_submitted_for_approval_go_to_senior_editors_not_forum_moderators():
    from wagtail.models import GroupApprovalTask

    tasks = GroupApprovalTask.objects.all()
    assert tasks.count() == 2  # the default workflow's and "Briefing approval"'s
    for task in tasks:
        assert [group.name for group in task.groups.all()] == ["Senior editors"]


@pytest.mark.parametrize(
    "grant", ["none", "group", "own permission", "group but inactive", "staff flag"]
)
def test_the_staff_check_agrees_with_has_perm_in_one_query(grant):
    user = PractitionerFactory()
    if grant.startswith("group"):
        user.groups.add(Group.objects.get(name="Editors"))
    if grant == "own permission":
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
        )
    if grant == "group but inactive":
        user.is_active = False
    if grant == "staff flag":
        user.is_staff = True
    user.save()
    fresh = type(user).objects.get(pk=user.pk)

    with CaptureQueriesContext(connection) as queries:
        is_staff = fresh.is_kx_staff

    assert is_staff == (fresh.is_staff or fresh.has_perm("wagtailadmin.access_admin"))
    assert is_staff == (grant in {"group", "own permission", "staff flag"})
    assert len(queries) <= 1
