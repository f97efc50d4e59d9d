"""The bulk restore of the migrations' data (tests/serialized_rollback.py) leaves the same rows as
Django's own, in every table."""

import json

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import IntegrityError, connection

from tests.serialized_rollback import djangos_restore, restore_in_bulk

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def every_row():
    """Each table's rows, sorted; a link table's own ids left out (its sequence gives them)."""
    rows = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        columns = [
            field.attname
            for field in meta.concrete_fields
            if not (meta.auto_created and field.primary_key)
        ]
        rows[meta.db_table] = sorted(model._base_manager.values_list(*columns), key=repr)
    return rows


def flush():
    """Empty every table as a transactional test's end does: the sequences carry on (reset, they
    would hand out the ids of the restored rows to the process's next tests)."""
    call_command(
        "flush", verbosity=0, interactive=False, inhibit_post_migrate=True, reset_sequences=False
    )


def restored_by(restore):
    flush()
    restore(connection.creation, connection._test_serialized_contents)
    return every_row()


def test_the_bulk_restore_leaves_the_same_rows_as_djangos():
    by_django = restored_by(djangos_restore)
    in_bulk = restored_by(restore_in_bulk)

    assert in_bulk == by_django
    # The data is there to compare: pages with their own rows, and many-to-many links.
    assert len(in_bulk["wagtailcore_page"]) >= 2
    assert in_bulk["auth_group_permissions"]
    assert in_bulk["django_content_type"]


def test_a_row_that_points_nowhere_fails_the_restore_and_writes_nothing():
    """Foreign keys are still checked at the end, as in Django's restore."""
    data = json.loads(connection._test_serialized_contents)
    permission = next(row for row in data if row["model"] == "auth.permission")
    permission["fields"]["content_type"] = 987654
    flush()

    with pytest.raises(IntegrityError):
        restore_in_bulk(connection.creation, json.dumps(data))

    assert not ContentType.objects.exists()
