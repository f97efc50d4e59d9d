import django.contrib.postgres.search
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

import search.models


class RunSQLOnPostgreSQL(migrations.RunSQL):
    """SQL only PostgreSQL understands (GIN indexes), skipped on any other database.

    The indexes are not in the model's ``Meta.indexes`` on purpose: SQLite rebuilds a table from
    the model state on many schema changes, and would then try to create them too.
    """

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class TrigramExtensionOnPostgreSQL(TrigramExtension):
    """``TrigramExtension``, whose reverse would query ``pg_extension`` on any database."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_search_entry"),
    ]

    operations = [
        TrigramExtensionOnPostgreSQL(),
        migrations.AddField(
            model_name="searchentry",
            name="search_vector",
            field=models.GeneratedField(
                db_persist=True,
                expression=search.models.OnPostgreSQL(
                    django.contrib.postgres.search.CombinedSearchVector(
                        django.contrib.postgres.search.CombinedSearchVector(
                            django.contrib.postgres.search.CombinedSearchVector(
                                django.contrib.postgres.search.SearchVector(
                                    "title", config="english", weight="A"
                                ),
                                "||",
                                django.contrib.postgres.search.SearchVector(
                                    "topic_names", config="english", weight="B"
                                ),
                                django.contrib.postgres.search.SearchConfig("english"),
                            ),
                            "||",
                            django.contrib.postgres.search.SearchVector(
                                "summary", config="english", weight="C"
                            ),
                            django.contrib.postgres.search.SearchConfig("english"),
                        ),
                        "||",
                        django.contrib.postgres.search.SearchVector(
                            "body", config="english", weight="D"
                        ),
                        django.contrib.postgres.search.SearchConfig("english"),
                    ),
                    output_field=django.contrib.postgres.search.SearchVectorField(),
                ),
                null=True,
                output_field=django.contrib.postgres.search.SearchVectorField(),
            ),
        ),
        RunSQLOnPostgreSQL(
            sql="CREATE INDEX search_entry_vector ON search_searchentry USING gin (search_vector)",
            reverse_sql="DROP INDEX search_entry_vector",
        ),
        # On UPPER(title), the expression Django's ``icontains`` compares, so that suggestions
        # (``title__icontains``) and spelling (trigram similarity) both use it.
        RunSQLOnPostgreSQL(
            sql=(
                "CREATE INDEX search_entry_title_trigram ON search_searchentry "
                "USING gin (UPPER(title) gin_trgm_ops)"
            ),
            reverse_sql="DROP INDEX search_entry_title_trigram",
        ),
    ]
