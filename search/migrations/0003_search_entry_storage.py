from django.db import migrations

from search.migration_operations import RunSQLOnPostgreSQL


class Migration(migrations.Migration):
    """Keep each entry's search vector in its row and its long text out of it.

    A word found in most entries makes PostgreSQL read every row and test its vector; stored
    out of line (TOAST, the default for a value this size) each test is another lookup, which
    made such a search several times slower. The vector now stays in the row, compressed
    (MAIN), and the summary and body, read only for the page of hits, are moved out of line
    (EXTERNAL, from rows over 256 bytes) so the rows stay narrow. Storage settings apply to
    rows as they are written, so the existing rows are rewritten once here (a full-table
    UPDATE: about a minute for 100,000 entries).
    """

    dependencies = [
        ("search", "0002_search_vector"),
    ]

    operations = [
        RunSQLOnPostgreSQL(
            sql=[
                "ALTER TABLE search_searchentry SET (toast_tuple_target = 256)",
                "ALTER TABLE search_searchentry ALTER COLUMN search_vector SET STORAGE MAIN, "
                "ALTER COLUMN summary SET STORAGE EXTERNAL, "
                "ALTER COLUMN body SET STORAGE EXTERNAL",
                "UPDATE search_searchentry SET body = body",
            ],
            reverse_sql=[
                "ALTER TABLE search_searchentry RESET (toast_tuple_target)",
                "ALTER TABLE search_searchentry ALTER COLUMN search_vector SET STORAGE EXTENDED, "
                "ALTER COLUMN summary SET STORAGE EXTENDED, "
                "ALTER COLUMN body SET STORAGE EXTENDED",
            ],
        ),
    ]
