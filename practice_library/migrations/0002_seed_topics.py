"""The topic vocabulary: the APP module on managing sexual and violent offenders, plus the
programme's own themes. Editors manage the list in the admin (Snippets > Topics)."""

from django.db import migrations
from django.utils.text import slugify

TOPICS = [
    ("MAPPA", "Multi-Agency Public Protection Arrangements"),
    ("Identifying offenders for management", ""),
    ("Potentially dangerous persons (PDPs)", ""),
    ("Notification requirements", ""),
    ("Risk assessment and management", ""),
    ("Home visits", ""),
    ("Public protection information", "Recording and sharing information, including ViSOR"),
    ("Mental health", ""),
    ("Travelling abroad", ""),
    ("Communication and media", ""),
    ("Reviews", "Serious case and management reviews"),
    ("Court orders", "Sexual harm prevention orders and other civil orders"),
    ("ARMS practice", "Using the Active Risk Management System"),
    ("Joint police and probation working", ""),
    ("Training", ""),
]


def seed(apps, schema_editor):
    Topic = apps.get_model("practice_library", "Topic")
    for name, description in TOPICS:
        Topic.objects.get_or_create(
            slug=slugify(name), defaults={"name": name, "description": description}
        )


def grant(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    content_type, _ = ContentType.objects.get_or_create(
        app_label="practice_library", model="topic"
    )
    for group_name in ("Editors", "Senior editors"):
        group = Group.objects.filter(name=group_name).first()
        if group is None:
            continue
        for action in ("add", "change", "view"):
            perm, _ = Permission.objects.get_or_create(
                content_type=content_type,
                codename=f"{action}_topic",
                defaults={"name": f"Can {action} topic"},
            )
            group.permissions.add(perm)


class Migration(migrations.Migration):
    dependencies = [
        ("practice_library", "0001_topic"),
        ("accounts", "0003_staff_groups"),
    ]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
