"""Listing sort fields on SearchEntry (``search.queries.LISTING_ORDERS``).

``object_id`` is filled here from each entry's key; ``published_at`` and ``listing_rank`` come
from the content, so ``manage.py search_index --rebuild`` fills them (and the engine mapping's
new fields) at deploy: see docs/search.md.
"""

from django.db import migrations, models

BATCH = 2000


def fill_object_ids(apps, schema_editor):
    SearchEntry = apps.get_model("search", "SearchEntry")
    rows = SearchEntry.objects.filter(object_id__isnull=True).values_list("pk", "key")
    after = 0
    while batch := list(rows.filter(pk__gt=after).order_by("pk")[:BATCH]):
        updates = []
        for pk, key in batch:
            _type, _, object_pk = key.partition(":")
            if object_pk.isdigit():
                updates.append(SearchEntry(pk=pk, object_id=int(object_pk)))
        SearchEntry.objects.bulk_update(updates, ["object_id"])
        after = batch[-1][0]


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0005_search_entry_inherited_text"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchentry",
            name="listing_rank",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="searchentry",
            name="object_id",
            field=models.PositiveBigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="searchentry",
            name="published_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(fill_object_ids, migrations.RunPython.noop, elidable=True),
    ]
