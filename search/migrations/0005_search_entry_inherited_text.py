import django.contrib.postgres.search
from django.db import migrations, models

import search.models
from search.migration_operations import RunSQLOnPostgreSQL


def vector(*fields):
    combined = django.contrib.postgres.search.SearchVector(
        fields[0][0], config="english", weight=fields[0][1]
    )
    for name, weight in fields[1:]:
        combined = django.contrib.postgres.search.CombinedSearchVector(
            combined,
            "||",
            django.contrib.postgres.search.SearchVector(name, config="english", weight=weight),
            django.contrib.postgres.search.SearchConfig("english"),
        )
    return models.GeneratedField(
        db_persist=True,
        expression=search.models.OnPostgreSQL(
            combined, output_field=django.contrib.postgres.search.SearchVectorField()
        ),
        null=True,
        output_field=django.contrib.postgres.search.SearchVectorField(),
    )


class Migration(migrations.Migration):
    """Words an item inherits from its parent (a briefing's title and topics, for each of its
    recommendations) in a column of their own, in the vector at the lowest weight.

    A generated column's expression cannot be altered: the vector is dropped (its GIN index with
    it) and added again, which PostgreSQL computes for every row, and the index is made again:
    a few table rewrites, minutes at most at 100,000 entries.
    The rows keep their inherited words in ``topic_names`` until ``search_index --rebuild``
    rewrites them.
    """

    dependencies = [
        ("search", "0004_search_entry_short_columns_in_row"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchentry",
            name="inherited_text",
            field=models.TextField(blank=True),
        ),
        migrations.RemoveField(model_name="searchentry", name="search_vector"),
        migrations.AddField(
            model_name="searchentry",
            name="search_vector",
            field=vector(
                ("title", "A"),
                ("topic_names", "B"),
                ("summary", "C"),
                ("body", "D"),
                ("inherited_text", "D"),
            ),
        ),
        # In the row, as migrations 0003 and 0004 keep every column a search reads; rewriting
        # each row once places the values already written (the vector is computed again).
        RunSQLOnPostgreSQL(
            sql=[
                "ALTER TABLE search_searchentry ALTER COLUMN search_vector SET STORAGE MAIN, "
                "ALTER COLUMN inherited_text SET STORAGE MAIN",
                "UPDATE search_searchentry SET inherited_text = inherited_text || ''",
            ],
            reverse_sql=[],
        ),
        RunSQLOnPostgreSQL(
            sql="CREATE INDEX search_entry_vector ON search_searchentry USING gin (search_vector)",
            reverse_sql="DROP INDEX IF EXISTS search_entry_vector",
        ),
    ]
