"""Registrations' log entries move to Wagtail's audit log (``wagtailcore.ModelLogEntry``, actions
``kx.registration.<action>``, see events/log_actions.py), and the old table goes.

Each old entry's free text becomes an action and its data; the text itself is kept in
``data["text"]``, so that going back restores it exactly. Text that fits no action becomes
``kx.registration.earlier``.
"""

from django.db import migrations

PREFIX = "kx.registration."
# Old free text (exact, or the part before ": ") -> (action, the data key for the rest).
EXACT = {
    "offered a place": "offered",
    "accepted the offer": "offer_accepted",
    "offer expired": "offer_expired",
    "changed sessions": "sessions_changed",
    "cancelled": "cancelled",
    "approved": "approved",
    "declined": "declined",
    "checked in": "checked_in",
    "told of event change": "told_of_change",
    "event cancelled": "event_cancelled",
    "feedback given": "feedback_given",
    "feedback changed": "feedback_changed",
}
PREFIXED = {
    "registered: ": ("registered", "status"),
    "registered again: ": ("registered_again", "status"),
    "session full, removed: ": ("session_full_removed", "session"),
    "organiser message: ": ("organiser_message", "subject"),
}


def parse(text):
    if text in EXACT:
        return EXACT[text], {"text": text}
    for start, (action, key) in PREFIXED.items():
        if text.startswith(start):
            return action, {key: text.removeprefix(start), "text": text}
    return "earlier", {"text": text}


def registration_content_type(apps):
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type, _ = ContentType.objects.get_or_create(app_label="events", model="registration")
    return content_type


def copy_to_audit_log(apps, schema_editor):
    RegistrationLogEntry = apps.get_model("events", "RegistrationLogEntry")
    ModelLogEntry = apps.get_model("wagtailcore", "ModelLogEntry")
    content_type = registration_content_type(apps)
    batch = []
    for entry in RegistrationLogEntry.objects.order_by("created_at", "pk").iterator():
        action, data = parse(entry.action)
        batch.append(
            ModelLogEntry(
                content_type=content_type,
                object_id=str(entry.registration_id),
                label=f"Registration {entry.registration_id}",
                action=PREFIX + action,
                data=data,
                timestamp=entry.created_at,
                user_id=entry.actor_id,
            )
        )
        if len(batch) >= 1000:
            ModelLogEntry.objects.bulk_create(batch)
            batch = []
    ModelLogEntry.objects.bulk_create(batch)


def copy_back(apps, schema_editor):
    RegistrationLogEntry = apps.get_model("events", "RegistrationLogEntry")
    Registration = apps.get_model("events", "Registration")
    ModelLogEntry = apps.get_model("wagtailcore", "ModelLogEntry")
    entries = ModelLogEntry.objects.filter(
        content_type=registration_content_type(apps), action__startswith=PREFIX
    ).order_by("timestamp", "pk")
    existing = set(Registration.objects.values_list("pk", flat=True))
    restored = []
    for entry in entries.iterator():
        if int(entry.object_id) not in existing:
            continue
        action = entry.action.removeprefix(PREFIX)
        data = entry.data or {}
        text = data.get("text")
        if not text:
            detail = data.get("status") or data.get("session") or data.get("subject")
            text = action.replace("_", " ") + (f": {detail}" if detail else "")
        restored.append(
            RegistrationLogEntry(
                registration_id=int(entry.object_id),
                action=text[:64],
                actor_id=entry.user_id,
                created_at=entry.timestamp,
            )
        )
    RegistrationLogEntry.objects.bulk_create(restored, batch_size=1000)
    entries.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0010_registration_organise_events_permission"),
        ("wagtailcore", "0098_apitoken"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(copy_to_audit_log, copy_back),
        migrations.DeleteModel(name="RegistrationLogEntry"),
    ]
