"""The audit log's rows move to Wagtail log entries, and back again."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from forums import audit

from .conftest import start_thread


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


# Schema changes on SQLite cannot run inside the test's transaction.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_audit_row_becomes_a_log_entry_and_back(cross_agency, police, moderator):
    thread = start_thread(cross_agency, police)
    post = thread.posts.get()
    old_apps = _migrate([("forums", "0002_moderator_permissions")])
    try:
        ModerationAction = old_apps.get_model("forums", "ModerationAction")
        rows = [
            {
                "actor_id": moderator.pk,
                "action": "hide post",
                "post_id": post.pk,
                "reason": "Rude",
            },
            {"actor_id": moderator.pk, "action": "lock thread", "thread_id": thread.pk},
            {"actor_id": moderator.pk, "action": "suspend member", "member_id": police.pk},
            {"actor_id": None, "action": "move thread", "reason": "A → B"},
        ]
        for row in rows:
            ModerationAction.objects.create(**row)

        _migrate([("forums", "0004_remove_moderationaction")])

        entries = list(audit.entries().order_by("pk"))
        assert [(e.action, e.label, e.user_id) for e in entries] == [
            ("kx.forums.hide_post", f"Forum post {post.pk}", moderator.pk),
            ("kx.forums.lock_thread", f"Forum thread {thread.pk}", moderator.pk),
            ("kx.forums.suspend_member", f"Forum member {police.pk}", moderator.pk),
            ("kx.forums.move_thread", "Forum moderation", None),
        ]
        assert entries[0].data == {
            "post": post.pk,
            "thread": None,
            "member": None,
            "reason": "Rude",
        }
        assert entries[0].object_id == str(post.pk)

        back = _migrate([("forums", "0002_moderator_permissions")])
        restored = back.get_model("forums", "ModerationAction").objects.order_by("pk")
        assert [
            (r.actor_id, r.action, r.post_id, r.thread_id, r.member_id, r.reason) for r in restored
        ] == [
            (moderator.pk, "hide post", post.pk, None, None, "Rude"),
            (moderator.pk, "lock thread", None, thread.pk, None, ""),
            (moderator.pk, "suspend member", None, None, police.pk, ""),
            (None, "move thread", None, None, None, "A → B"),
        ]
        assert not audit.entries().exists()
    finally:
        executor = MigrationExecutor(connection)
        _migrate(executor.loader.graph.leaf_nodes())
