"""Serialized rollback in bulk: the migrations' data restored with a few INSERTs per table.

A transactional test (``transaction=True, serialized_rollback=True``: every browser journey and
the tests that need real commits) ends by emptying the database, and the next one starts by
restoring the data the migrations made: content types, permissions, groups, organisations,
topics, the site's first pages. Django restores it one object at a time, each an UPDATE that
finds nothing and then an INSERT: about 1,400 round trips for the 700 rows, 1.5 seconds on
PostgreSQL before every such test. Here an emptied table's rows go in as one raw INSERT (what
``save_base(raw=True)`` writes, so parents of multi-table pages are their own rows, as in the
data), and many-to-many links as one INSERT per link table. A table that still has rows (the
first transactional test of a process starts from the migrated database) is restored Django's
way, row by row.

Unlike Django's restore, no ``pre_save``/``post_save`` signals are sent: the data is a copy of
the database, not new content, so nothing that listens (search indexing, page-cache retirement,
reference index) has anything to do. ``tests/kx_site/test_serialized_rollback.py`` proves that
both restores leave the same rows in every table.
"""

from collections import defaultdict
from itertools import groupby

from django.core import serializers
from django.db import transaction
from django.db.backends.base.creation import BaseDatabaseCreation

# Kept before tests/conftest.py puts restore_in_bulk in its place, for the test that compares them.
djangos_restore = BaseDatabaseCreation.deserialize_db_from_string


def restore_in_bulk(creation, data):
    """Stands in for ``BaseDatabaseCreation.deserialize_db_from_string``, whose contract it
    keeps: one transaction, constraint checks deferred, then checked on the tables written."""
    connection = creation.connection
    alias = connection.alias
    table_names = set()
    with transaction.atomic(using=alias):
        with connection.constraint_checks_disabled():
            objects = serializers.deserialize("json", data, using=alias)
            # The serializer writes each model's rows together.
            for model, group in groupby(objects, key=lambda each: type(each.object)):
                group = list(group)
                table_names.add(model._meta.db_table)
                if model._base_manager.using(alias).exists():
                    # Not emptied: the first transactional test of a process starts from the
                    # migrated database. Django's restore updates the rows that are there.
                    for each in group:
                        each.save(using=alias)
                    continue
                insert_raw(connection, model, [each.object for each in group])
                for through, links in many_to_many_links(model, group).items():
                    through._base_manager.using(alias).bulk_create(links)
                    table_names.add(through._meta.db_table)
        connection.check_constraints(table_names=table_names)


def insert_raw(connection, model, objects):
    """The INSERT that ``Model.save_base(raw=True)`` makes, for many rows at once: the model's
    own table only, every value as given (no ``auto_now``, no defaults)."""
    fields = model._meta.local_concrete_fields
    batch_size = connection.ops.bulk_batch_size(fields, objects) or len(objects)
    for start in range(0, len(objects), batch_size):
        model._base_manager._insert(
            objects[start : start + batch_size], fields=fields, using=connection.alias, raw=True
        )


def many_to_many_links(model, deserialized_objects):
    """The link-table rows for the objects' many-to-many values (only automatic link tables are
    serialized this way; a model of its own is restored as its own rows)."""
    links = defaultdict(list)
    for deserialized in deserialized_objects:
        for name, targets in (deserialized.m2m_data or {}).items():
            field = model._meta.get_field(name)
            through = field.remote_field.through
            source = through._meta.get_field(field.m2m_field_name()).attname
            target = through._meta.get_field(field.m2m_reverse_field_name()).attname
            links[through].extend(
                through(**{source: deserialized.object.pk, target: pk}) for pk in targets
            )
    return links
