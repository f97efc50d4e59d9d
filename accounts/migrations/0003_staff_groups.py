"""The staff groups and what each may do in the Wagtail admin.

Permissions are created here if Django has not created them yet (it does so only after all
migrations have run), the way Wagtail's own migrations do it.
"""

from django.db import migrations

# (app_label, model, codename): model-level permissions, granted directly to the group.
ADMIN_ACCESS = ("wagtailadmin", "admin", "access_admin")

PAGE_PERMISSIONS = {
    "Editors": ["add_page", "change_page"],
    "Senior editors": ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"],
}
COLLECTION_PERMISSIONS = {
    "Editors": [
        ("wagtaildocs", "document", ["add_document", "change_document", "choose_document"]),
        ("wagtailimages", "image", ["add_image", "change_image", "choose_image"]),
    ],
    "Senior editors": [
        (
            "wagtaildocs",
            "document",
            ["add_document", "change_document", "choose_document", "delete_document"],
        ),
        ("wagtailimages", "image", ["add_image", "change_image", "choose_image", "delete_image"]),
    ],
}
GROUPS = ["Editors", "Senior editors", "Moderators", "Event organisers"]


def permission(apps, app_label, model, codename):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
    perm, _ = Permission.objects.get_or_create(
        content_type=content_type,
        codename=codename,
        defaults={"name": codename.replace("_", " ").capitalize()},
    )
    return perm


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Page = apps.get_model("wagtailcore", "Page")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")

    root_page = Page.objects.filter(depth=1).first()
    root_collection = Collection.objects.filter(depth=1).first()
    for name in GROUPS:
        group, _ = Group.objects.get_or_create(name=name)
        # Wagtail's own migrations already made "Editors" and "Moderators" groups with its
        # defaults (moderators publish any page; both hold model-wide document and image
        # permissions): start afresh so each group has only what is granted here.
        group.permissions.set([permission(apps, *ADMIN_ACCESS)])
        GroupPagePermission.objects.filter(group=group).delete()
        GroupCollectionPermission.objects.filter(group=group).delete()
        for codename in PAGE_PERMISSIONS.get(name, []):
            GroupPagePermission.objects.get_or_create(
                group=group,
                page=root_page,
                permission=permission(apps, "wagtailcore", "page", codename),
            )
        for app_label, model, codenames in COLLECTION_PERMISSIONS.get(name, []):
            for codename in codenames:
                GroupCollectionPermission.objects.get_or_create(
                    group=group,
                    collection=root_collection,
                    permission=permission(apps, app_label, model, codename),
                )


def approval_by_senior_editors(apps, schema_editor):
    """Wagtail's default workflow sends pages to its "Moderators" group; in KX moderators look
    after the forums, and senior editors approve what editors submit."""
    Group = apps.get_model("auth", "Group")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")
    senior_editors = Group.objects.get(name="Senior editors")
    for approval_task in GroupApprovalTask.objects.filter(groups__name="Moderators"):
        approval_task.groups.set([senior_editors])
        approval_task.name = "Senior editors approval"
        approval_task.save()


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_seed_organisations"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailimages", "0027_image_description"),
        ("wagtailadmin", "0006_formstate"),
    ]

    operations = [
        migrations.RunPython(create_groups, remove_groups),
        migrations.RunPython(approval_by_senior_editors, migrations.RunPython.noop),
    ]
