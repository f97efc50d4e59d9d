"""Editors and senior editors may change recommendations' statuses: the model permission
``briefings.change_recommendation`` is granted to both groups (it replaces a check of the
group names in the code).

The permission is created here if Django has not created it yet (it does so only after all
migrations have run), as ``accounts.0003_staff_groups`` does.
"""

from django.db import migrations

GROUPS = ["Editors", "Senior editors"]


def _permission(apps):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.get_or_create(
        app_label="briefings", model="recommendation"
    )
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type,
        codename="change_recommendation",
        defaults={"name": "Can change recommendation"},
    )
    return permission


def grant(apps, schema_editor):
    permission = _permission(apps)
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GROUPS):
        group.permissions.add(permission)


def revoke(apps, schema_editor):
    permission = _permission(apps)
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GROUPS):
        group.permissions.remove(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("briefings", "0002_briefing_approval_workflow"),
        ("accounts", "0003_staff_groups"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
