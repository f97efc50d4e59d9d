"""The moderators' audit log moves from ``ModerationAction`` rows to Wagtail log entries
(``wagtailcore.ModelLogEntry``, action ``kx.forums.<action>``); see ``forums.audit``.

Each row becomes one entry, logged on its post, else its thread, else its member, with the same
time, moderator and reason. Reversible: going back copies the entries into rows again.
"""

from django.db import migrations

PREFIX = "kx.forums."


def action_name(action):
    # "hide post" -> "kx.forums.hide_post"
    return PREFIX + action.strip().replace(" ", "_")


def to_log_entries(apps, schema_editor):
    ModerationAction = apps.get_model("forums", "ModerationAction")
    ModelLogEntry = apps.get_model("wagtailcore", "ModelLogEntry")
    ContentType = apps.get_model("contenttypes", "ContentType")
    types = {
        name: ContentType.objects.get_for_model(apps.get_model(*name.split(".")))
        for name in ("forums.Post", "forums.Thread", "accounts.User")
    }
    entries = []
    for row in ModerationAction.objects.order_by("pk").iterator():
        if row.post_id:
            content_type, object_id, label = types["forums.Post"], row.post_id, "Forum post"
        elif row.thread_id:
            content_type, object_id, label = types["forums.Thread"], row.thread_id, "Forum thread"
        elif row.member_id:
            content_type, object_id, label = types["accounts.User"], row.member_id, "Forum member"
        else:  # What it acted on is gone.
            content_type, object_id, label = None, "", "Forum moderation"
        entries.append(
            ModelLogEntry(
                content_type=content_type,
                object_id=str(object_id),
                label=f"{label} {object_id}".strip(),
                action=action_name(row.action),
                timestamp=row.created_at,
                user_id=row.actor_id,
                data={
                    "post": row.post_id,
                    "thread": row.thread_id,
                    "member": row.member_id,
                    "reason": row.reason,
                },
            )
        )
        if len(entries) >= 1000:
            ModelLogEntry.objects.bulk_create(entries)
            entries = []
    ModelLogEntry.objects.bulk_create(entries)


def existing(model, pk):
    # The log keeps the ids of rows since deleted; the old table's foreign keys cannot.
    return pk if pk and model.objects.filter(pk=pk).exists() else None


def to_moderation_actions(apps, schema_editor):
    ModerationAction = apps.get_model("forums", "ModerationAction")
    ModelLogEntry = apps.get_model("wagtailcore", "ModelLogEntry")
    Post = apps.get_model("forums", "Post")
    Thread = apps.get_model("forums", "Thread")
    User = apps.get_model("accounts", "User")
    logged = ModelLogEntry.objects.filter(action__startswith=PREFIX)
    rows = []
    for entry in logged.order_by("timestamp", "pk").iterator():
        data = entry.data or {}
        rows.append(
            ModerationAction(
                actor_id=existing(User, entry.user_id),
                action=entry.action.removeprefix(PREFIX).replace("_", " ")[:32],
                post_id=existing(Post, data.get("post")),
                thread_id=existing(Thread, data.get("thread")),
                member_id=existing(User, data.get("member")),
                reason=(data.get("reason") or "")[:500],
                created_at=entry.timestamp,
            )
        )
    ModerationAction.objects.bulk_create(rows, batch_size=1000)
    logged.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("forums", "0002_moderator_permissions"),
        ("wagtailcore", "0098_apitoken"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(to_log_entries, to_moderation_actions)]
