"""Account standing entries move from ``accounts.AuditEntry`` to Wagtail's log
(``wagtailcore.ModelLogEntry``), against the account they concern: same time, same actor, the
action as a registered ``kx.*`` action and the free text as ``data["detail"]``."""

import uuid

from django.db import migrations

ACTIONS = {
    "verified": "kx.verified",
    "verification requested": "kx.verification_requested",
    "verification refused": "kx.verification_refused",
    "verification confirmed": "kx.verification_confirmed",
}


def _user_content_type(apps):
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type, _ = ContentType.objects.get_or_create(app_label="accounts", model="user")
    return content_type


def _label(user):
    return f"{user.first_name} {user.last_name}".strip() or user.email


def to_log_entries(apps, schema_editor):
    AuditEntry = apps.get_model("accounts", "AuditEntry")
    ModelLogEntry = apps.get_model("wagtailcore", "ModelLogEntry")
    content_type = _user_content_type(apps)
    entries = AuditEntry.objects.select_related("user").order_by("pk").iterator(chunk_size=2000)
    batch = []
    for entry in entries:
        batch.append(
            ModelLogEntry(
                content_type=content_type,
                object_id=str(entry.user_id),
                label=_label(entry.user)[:255],
                # An action no code wrote is kept under its own words.
                action=ACTIONS.get(entry.action, "kx." + entry.action.replace(" ", "_")),
                data={"detail": entry.detail},
                timestamp=entry.created_at,
                user_id=entry.actor_id,
                uuid=uuid.uuid4(),
            )
        )
        if len(batch) == 2000:
            ModelLogEntry.objects.bulk_create(batch)
            batch = []
    ModelLogEntry.objects.bulk_create(batch)
    AuditEntry.objects.all().delete()


def to_audit_entries(apps, schema_editor):
    AuditEntry = apps.get_model("accounts", "AuditEntry")
    ModelLogEntry = apps.get_model("wagtailcore", "ModelLogEntry")
    User = apps.get_model("accounts", "User")
    names = {new: old for old, new in ACTIONS.items()}
    log_entries = ModelLogEntry.objects.filter(
        content_type=_user_content_type(apps), action__startswith="kx."
    )
    existing = set(User.objects.values_list("pk", flat=True))
    AuditEntry.objects.bulk_create(
        AuditEntry(
            user_id=int(entry.object_id),
            actor_id=entry.user_id if entry.user_id in existing else None,
            action=names.get(entry.action, entry.action.removeprefix("kx.").replace("_", " ")),
            detail=(entry.data or {}).get("detail", ""),
            created_at=entry.timestamp,
        )
        for entry in log_entries.order_by("timestamp", "pk")
        if int(entry.object_id) in existing
    )
    log_entries.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_staff_groups"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(to_log_entries, to_audit_entries)]
