"""The test database is a copy of a migrated template (tests/migrated_database.py): the copy must
be the database the migrations make, and a changed migration must make a new template."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests import migrated_database


@pytest.mark.django_db
def test_the_copy_has_every_migration_applied_and_their_data():
    executor = MigrationExecutor(connection)
    targets = executor.loader.graph.leaf_nodes()

    assert executor.migration_plan(targets) == []
    # Data migrations' rows came along: the staff groups with the permissions granted to them.
    assert (
        Group.objects.get(name="Event organisers")
        .permissions.filter(codename="organise_events")
        .exists()
    )


def test_a_changed_migration_names_a_new_template(tmp_path, monkeypatch):
    migration = tmp_path / "0001_initial.py"
    migration.write_text("operations = []\n")
    files = [*migrated_database.migration_files()]
    monkeypatch.setattr(migrated_database, "migration_files", lambda: [*files, migration])
    before = migrated_database.digest("sqlite")

    migration.write_text("operations = ['changed']\n")

    assert migrated_database.digest("sqlite") != before
    assert migrated_database.digest("postgresql") != migrated_database.digest("sqlite")
