"""Migration 0011: registrations' log entries move to Wagtail's audit log, and back.

The database is taken back to 0010 (the log's own table), entries are made with the historical
models, and the migration is run forward and back as a deployment (or a rollback) would.
"""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import PractitionerFactory

from .factories import EventPageFactory

BEFORE = [("events", "0010_registration_organise_events_permission")]
AFTER = [("events", "0011_registration_log_to_wagtail_audit_log")]
TEXTS = [
    "registered: waiting",
    "offered a place",
    "session full, removed: Breakout A",
    "organiser message: Parking",
    "checked in",
    "something written by hand",
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


@pytest.fixture
def old_apps():
    apps = _migrate(BEFORE)
    yield apps
    executor = MigrationExecutor(connection)
    _migrate(executor.loader.graph.leaf_nodes())


# Schema changes on SQLite cannot run inside the test's transaction.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_entry_moves_to_the_audit_log_and_back(old_apps):
    Registration = old_apps.get_model("events", "Registration")
    LogEntry = old_apps.get_model("events", "RegistrationLogEntry")
    person = PractitionerFactory()
    row = Registration.objects.create(
        event_id=EventPageFactory().pk, user_id=person.pk, status="confirmed"
    )
    for text in TEXTS:
        LogEntry.objects.create(registration=row, action=text, actor_id=person.pk)

    new_apps = _migrate(AFTER)
    ModelLogEntry = new_apps.get_model("wagtailcore", "ModelLogEntry")
    entries = list(
        ModelLogEntry.objects.filter(object_id=str(row.pk), action__startswith="kx.registration.")
        .order_by("timestamp", "pk")
        .values_list("action", "data", "user_id", "label")
    )
    assert [(action, data.get("text")) for action, data, _user, _label in entries] == [
        ("kx.registration.registered", "registered: waiting"),
        ("kx.registration.offered", "offered a place"),
        ("kx.registration.session_full_removed", "session full, removed: Breakout A"),
        ("kx.registration.organiser_message", "organiser message: Parking"),
        ("kx.registration.checked_in", "checked in"),
        ("kx.registration.earlier", "something written by hand"),
    ]
    assert entries[0][1]["status"] == "waiting"
    assert entries[2][1]["session"] == "Breakout A"
    assert entries[3][1]["subject"] == "Parking"
    assert {user for _action, _data, user, _label in entries} == {person.pk}
    # The label names the registration, never the person.
    assert {label for *_rest, label in entries} == {f"Registration {row.pk}"}

    back_apps = _migrate(BEFORE)
    LogEntry = back_apps.get_model("events", "RegistrationLogEntry")
    assert (
        list(
            LogEntry.objects.filter(registration_id=row.pk)
            .order_by("created_at", "pk")
            .values_list("action", flat=True)
        )
        == TEXTS
    )
