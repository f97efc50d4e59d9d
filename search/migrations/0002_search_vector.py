import django.contrib.postgres.search
from django.db import migrations, models

import search.models
from search.migration_operations import RunSQLOnPostgreSQL, TrigramExtensionOnPostgreSQL


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
