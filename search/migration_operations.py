"""Migration operations for what only PostgreSQL has (full-text and trigram indexes, column
storage), shared by the search migrations. On any other database they do nothing."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


def _on_postgresql(schema_editor):
    return schema_editor.connection.vendor == "postgresql"


class RunSQLOnPostgreSQL(migrations.RunSQL):
    """SQL only PostgreSQL understands, skipped on any other database.

    Indexes made this way are not in the model's ``Meta.indexes`` on purpose: SQLite rebuilds a
    table from the model state on many schema changes, and would then try to create them too.
    """

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if _on_postgresql(schema_editor):
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if _on_postgresql(schema_editor):
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class TrigramExtensionOnPostgreSQL(TrigramExtension):
    """``TrigramExtension``, whose reverse would query ``pg_extension`` on any database."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if _on_postgresql(schema_editor):
            super().database_backwards(app_label, schema_editor, from_state, to_state)
