"""The "Moderators" group moderates the forums and manages forum categories.

Permissions are created here if Django has not created them yet (it does so only after all
migrations have run), as accounts.0003_staff_groups does.
"""

from django.db import migrations

MODERATOR_CODENAMES = [
    "moderate_forums",
    "add_forumcategory",
    "change_forumcategory",
    "view_forumcategory",
]


def grant(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    content_type, _ = ContentType.objects.get_or_create(app_label="forums", model="forumcategory")
    group, _ = Group.objects.get_or_create(name="Moderators")
    for codename in MODERATOR_CODENAMES:
        permission, _ = Permission.objects.get_or_create(
            content_type=content_type,
            codename=codename,
            defaults={"name": codename.replace("_", " ").capitalize()},
        )
        group.permissions.add(permission)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    group = Group.objects.filter(name="Moderators").first()
    if group:
        group.permissions.remove(
            *group.permissions.filter(
                content_type__app_label="forums", codename__in=MODERATOR_CODENAMES
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("forums", "0001_forums"),
        ("accounts", "0003_staff_groups"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
