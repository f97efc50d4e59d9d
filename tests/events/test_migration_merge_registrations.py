"""Migrations 0005-0006: each person's duplicate registrations for an event become one row.

The database is taken back to 0004 (when registering again added a row), duplicates are made
with the historical models, and the migrations are run forward as a deployment would run them.
"""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import PractitionerFactory

from .factories import EventPageFactory

BEFORE = [("events", "0004_feedback_certificates")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    # The next executor must see the state the database is now in.
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


@pytest.fixture
def old_apps():
    """The models as of 0004; the database goes forward to the latest state afterwards."""
    apps = _migrate(BEFORE)
    yield apps
    executor = MigrationExecutor(connection)
    _migrate(executor.loader.graph.leaf_nodes())


# Schema changes on SQLite cannot run inside the test's transaction.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_duplicates_are_merged_into_the_current_row_keeping_every_log_entry(old_apps):
    Registration = old_apps.get_model("events", "Registration")
    LogEntry = old_apps.get_model("events", "RegistrationLogEntry")
    EventMessage = old_apps.get_model("events", "EventMessage")
    Certificate = old_apps.get_model("events", "Certificate")
    event = EventPageFactory()
    other_event = EventPageFactory()
    person, only_cancelled, untouched = PractitionerFactory.create_batch(3)

    def registration(event, user, status, *actions):
        row = Registration.objects.create(event_id=event.pk, user_id=user.pk, status=status)
        for action in actions:
            LogEntry.objects.create(registration=row, action=action, actor_id=user.pk)
        return row

    # Cancelled twice, then registered a third time: the confirmed row is the current one,
    # although it is not the most recent row.
    oldest = registration(event, person, "cancelled", "registered: confirmed", "cancelled")
    current = registration(event, person, "confirmed", "registered: confirmed")
    newest = registration(event, person, "cancelled", "registered: waiting", "cancelled")
    message = EventMessage.objects.create(
        event_id=event.pk, audience="confirmed", subject="Parking", body="Use the back gate."
    )
    message.recipients.add(oldest)
    certificate = Certificate.objects.create(registration=oldest, reference="KX-OLD-1")
    # Never active again: the most recent of the cancelled rows is kept.
    registration(other_event, only_cancelled, "cancelled", "registered: confirmed", "cancelled")
    latest_cancelled = registration(
        other_event, only_cancelled, "declined", "registered: pending_approval", "declined"
    )
    single = registration(event, untouched, "confirmed", "registered: confirmed")

    new_apps = _migrate([("events", "0006_one_registration_per_person_per_event")])

    Registration = new_apps.get_model("events", "Registration")
    LogEntry = new_apps.get_model("events", "RegistrationLogEntry")
    [kept] = Registration.objects.filter(event_id=event.pk, user_id=person.pk)
    assert kept.pk == current.pk
    assert kept.status == "confirmed"
    actions = sorted(
        LogEntry.objects.filter(registration_id=kept.pk).values_list("action", flat=True)
    )
    assert actions == sorted(
        [
            "registered: confirmed",
            "cancelled",
            "registered: confirmed",
            "registered: waiting",
            "cancelled",
            "merged 2 earlier registration(s)",
        ]
    )
    assert not Registration.objects.filter(pk__in=[oldest.pk, newest.pk]).exists()
    assert list(
        new_apps.get_model("events", "EventMessage")
        .objects.get(pk=message.pk)
        .recipients.values_list("pk", flat=True)
    ) == [kept.pk]
    assert (
        new_apps.get_model("events", "Certificate").objects.get(pk=certificate.pk).registration_id
        == kept.pk
    )
    [kept_cancelled] = Registration.objects.filter(
        event_id=other_event.pk, user_id=only_cancelled.pk
    )
    assert kept_cancelled.pk == latest_cancelled.pk
    assert LogEntry.objects.filter(registration_id=kept_cancelled.pk).count() == 5
    assert LogEntry.objects.filter(registration_id=single.pk).count() == 1
    assert Registration.objects.count() == 3


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migrations_can_be_reversed(old_apps):
    """Going back past them must work, so that a failed deployment can be rolled back."""
    new_apps = _migrate([("events", "0006_one_registration_per_person_per_event")])
    assert new_apps.get_model("events", "Registration")

    _migrate(BEFORE)

    executor = MigrationExecutor(connection)
    assert (
        "events",
        "0005_registration_merge_duplicates",
    ) not in executor.loader.applied_migrations
