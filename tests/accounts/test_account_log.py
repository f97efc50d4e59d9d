"""An account's standing is logged in Wagtail's log: registered actions with labels and
messages, entries against the account, erased with the account; the migration moves the old
AuditEntry rows over unchanged."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from wagtail.log_actions import registry
from wagtail.models import ModelLogEntry

from accounts import audit, services
from accounts.models import Organisation, User
from tests.factories import UserFactory, staff_member

pytestmark = pytest.mark.django_db


def test_every_action_is_registered_with_a_label_and_a_message():
    for action, (label, message) in audit.ACCOUNT_LOG.by_action.items():
        assert registry.action_exists(action)
        assert registry.get_action_label(action) == label
        entry = ModelLogEntry(action=action, data={"detail": "Home Office"})
        assert registry.get_formatter(entry).format_message(entry) == f"{message}: Home Office"


def test_a_refusal_is_logged_against_the_account_by_the_administrator():
    member = UserFactory()
    admin = staff_member("superuser")
    request = services.verification_request_create(
        user=member,
        organisation=Organisation.objects.get(slug="home-office"),
        job_title="Programme manager",
        reason="Funded programme.",
    )

    services.verification_request_decide(
        verification_request=request, approve=False, decided_by=admin, note="Not a practitioner."
    )

    refused, requested = audit.entries_for(member)
    assert (requested.action, requested.user, requested.data) == (
        audit.VERIFICATION_REQUESTED,
        member,
        {"detail": "Home Office"},
    )
    assert (refused.action, refused.user, refused.data) == (
        audit.VERIFICATION_REFUSED,
        admin,
        {"detail": "Not a practitioner."},
    )
    assert refused.content_type == ContentType.objects.get_for_model(User)
    assert refused.message == "Verification refused: Not a practitioner."


def test_deleting_an_account_erases_its_entries_and_its_name_as_actor():
    member, other = UserFactory(), UserFactory()
    audit.record(member, audit.VERIFICATION_REQUESTED, actor=member, detail="Home Office")
    audit.record(other, audit.VERIFICATION_REFUSED, actor=member, detail="A note")

    member.delete()

    assert not audit.ACCOUNT_LOG.entries().filter(object_id=str(member.pk)).exists()
    entry = audit.entries_for(other).get()
    assert entry.user_id is None
    assert entry.data == {"detail": "A note"}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_moves_audit_entries_to_the_log_and_back():
    member, admin = UserFactory(), staff_member("superuser")
    executor = MigrationExecutor(connection)
    before = [("accounts", "0003_staff_groups")]
    after = [("accounts", "0005_delete_auditentry")]
    try:
        executor.migrate(before)
        executor.loader.build_graph()
        AuditEntry = executor.loader.project_state(before).apps.get_model("accounts", "AuditEntry")
        refused = AuditEntry.objects.create(
            user_id=member.pk, actor_id=admin.pk, action="verification refused", detail="No."
        )
        AuditEntry.objects.create(user_id=member.pk, action="verified", detail="Kent Police")

        executor = MigrationExecutor(connection)
        executor.migrate(after)

        entries = audit.entries_for(member)
        assert [(e.action, e.user_id, e.data) for e in entries.order_by("action")] == [
            ("kx.verification_refused", admin.pk, {"detail": "No."}),
            ("kx.verified", None, {"detail": "Kent Police"}),
        ]
        moved = entries.get(action=audit.VERIFICATION_REFUSED)
        assert moved.timestamp == refused.created_at
        assert moved.label == str(member)

        executor = MigrationExecutor(connection)
        executor.migrate(before)
        AuditEntry = executor.loader.project_state(before).apps.get_model("accounts", "AuditEntry")
        assert sorted(AuditEntry.objects.values_list("action", "actor_id", "detail")) == [
            ("verification refused", admin.pk, "No."),
            ("verified", None, "Kent Police"),
        ]
        assert not audit.ACCOUNT_LOG.entries().exists()
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
