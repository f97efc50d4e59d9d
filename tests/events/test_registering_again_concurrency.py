"""The same person registering again from several tabs at once, after cancelling: one wins.

Each thread has its own database connection, as each request would. The event's row lock
serves them one at a time, so the first reuses the cancelled row and the others find it active.
"""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from events.log_actions import entry_text, registration_log
from events.models import Registration
from events.services import registration_cancel, registration_create
from tests.factories import PractitionerFactory

from .factories import EventPageFactory
from .test_concurrency import register_all_at_once

ATTEMPTS = 8


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_registrations_again_reuse_the_one_row_once():
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        # As in test_concurrency: SQLite's shared in-memory cache fails at once on its locks.
        pytest.skip("needs PostgreSQL, or SQLite with a test database in a file")
    event = EventPageFactory()
    person = PractitionerFactory()
    cancelled = registration_cancel(
        registration=registration_create(event=event, user=person), actor=person
    )
    futures = register_all_at_once(event, [person] * ATTEMPTS)
    succeeded = [f.result() for f in futures if f.exception() is None]
    refused = [f.exception() for f in futures if f.exception() is not None]

    assert succeeded == [cancelled.pk]
    assert len(refused) == ATTEMPTS - 1
    assert all(isinstance(error, ValidationError) for error in refused), refused
    assert all("already registered" in str(error) for error in refused)
    [registration] = Registration.objects.filter(event=event, user=person)
    assert registration.status == Registration.Status.CONFIRMED
    assert [entry_text(e) for e in registration_log(registration)] == [
        "registered: confirmed",
        "cancelled",
        "registered again: confirmed",
    ]
