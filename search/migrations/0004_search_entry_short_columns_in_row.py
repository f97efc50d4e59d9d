from django.db import migrations

from search.migration_operations import RunSQLOnPostgreSQL

# Every column but the summary and the body: what a search reads of each match (its audience,
# facets and rank) and of each hit on the page.
SHORT_COLUMNS = [
    "audience",
    "restricted_to_kinds",
    "marking",
    "key",
    "parent_key",
    "doc_type",
    "title",
    "topic_names",
    "topics",
    "does_it_work",
    "evidence_stage",
    "organisation_kind",
    "organisation",
    "url",
]


def alter_storage(storage):
    return "ALTER TABLE search_searchentry " + ", ".join(
        f"ALTER COLUMN {column} SET STORAGE {storage}" for column in SHORT_COLUMNS
    )


class Migration(migrations.Migration):
    """Keep each entry's short columns in its row, never out of line.

    Migration 0003 asked for rows of at most 256 bytes so that the summary and body would leave
    them; but a row with its vector can never be that small, so PostgreSQL also moved out of
    line every other text value longer than a TOAST pointer (about 24 bytes): titles, topics,
    URLs. A search that counts topics then made a TOAST lookup for most matching rows (twice
    the buffer reads of the table itself, half of a search's time at 100,000 entries). MAIN
    keeps a value in the row unless the row could not fit a page otherwise. The existing rows
    are rewritten once so that values already moved out come back (a full-table UPDATE).
    """

    dependencies = [
        ("search", "0003_search_entry_storage"),
    ]

    operations = [
        RunSQLOnPostgreSQL(
            sql=[
                alter_storage("MAIN"),
                # A new value (``|| ''``), not the stored pointer, so that it is placed afresh.
                "UPDATE search_searchentry SET "
                + ", ".join(f"{column} = {column} || ''" for column in SHORT_COLUMNS),
            ],
            reverse_sql=[alter_storage("EXTENDED")],
        ),
    ]
