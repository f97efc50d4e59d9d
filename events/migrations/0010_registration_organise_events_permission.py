"""The organisers' tools ask for a permission, ``events.organise_events``, instead of the name of
a group; the "Event organisers" group (made by accounts 0003_staff_groups) is granted it here.

The permission is created here if Django has not created it yet (it does so only after all
migrations have run), as accounts 0003_staff_groups does.
"""

from django.db import migrations

ORGANISER_GROUP = "Event organisers"
CODENAME = "organise_events"


def grant_to_organisers(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    content_type, _ = ContentType.objects.get_or_create(app_label="events", model="registration")
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type, codename=CODENAME, defaults={"name": "Can organise events"}
    )
    group, _ = Group.objects.get_or_create(name=ORGANISER_GROUP)
    group.permissions.add(permission)


def withdraw_from_organisers(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    permission = Permission.objects.filter(
        content_type__app_label="events", codename=CODENAME
    ).first()
    group = Group.objects.filter(name=ORGANISER_GROUP).first()
    if permission and group:
        group.permissions.remove(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0009_event_cancellation"),
        ("accounts", "0003_staff_groups"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="registration",
            options={
                "ordering": ["created_at"],
                "permissions": [("organise_events", "Can organise events")],
            },
        ),
        migrations.RunPython(grant_to_organisers, withdraw_from_organisers),
    ]
