"""Many people registering at once for a few places: exactly the places given, in order.

Each thread has its own database connection, as each request would. The services lock the
event's row (PostgreSQL) or take SQLite's write lock at the start of the transaction, so the
registrations are served one at a time.
"""

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import OrganisationKind
from events.models import EventQuota, Registration
from events.services import places_taken, registration_create
from tests.factories import PractitionerFactory, seeded_organisation

from .factories import EventPageFactory

Status = Registration.Status

ATTEMPTS = 50
PLACES = 20
QUOTA = 3
FORCES = ["kent-police", "surrey-police", "essex-police", "sussex-police", "thames-valley-police"]


def register_all_at_once(event, people):
    """``registration_create`` for each of ``people`` (repeats allowed), each in a thread with
    its own connection, released together; returns the futures, in ``people``'s order."""
    start_together = threading.Barrier(len(people))

    def register(person):
        try:
            start_together.wait(timeout=30)
            return registration_create(event=event, user=person).pk
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(people)) as pool:
        return [pool.submit(register, person) for person in people]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_registrations_never_oversell_and_wait_in_arrival_order():
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        # Threads share SQLite's in-memory test database through its shared cache, whose
        # table locks fail at once ("database table is locked") instead of waiting.
        pytest.skip("needs PostgreSQL, or SQLite with a test database in a file")
    event = EventPageFactory(capacity=PLACES)
    people = PractitionerFactory.create_batch(ATTEMPTS)
    futures = register_all_at_once(event, people)
    errors = [f.exception() for f in futures if f.exception() is not None]
    assert errors == []

    registrations = list(Registration.objects.filter(event=event).order_by("pk"))
    assert len(registrations) == ATTEMPTS
    assert places_taken(event) == PLACES
    # Ids are given out under the lock, so id order is the order the service served them in:
    # the first 20 served have the places and the other 30 wait behind them in that order.
    assert [r.status for r in registrations] == (
        [Status.CONFIRMED] * PLACES + [Status.WAITING] * (ATTEMPTS - PLACES)
    )
    waiting = registrations[PLACES:]
    waiting_since = [r.waiting_since for r in waiting]
    assert waiting_since == sorted(waiting_since), "the waiting list is not in arrival order"
    assert (
        list(
            Registration.objects.filter(event=event, status=Status.WAITING).order_by(
                "waiting_since", "pk"
            )
        )
        == waiting
    )
    assert len({r.user_id for r in registrations}) == ATTEMPTS


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_registrations_never_break_a_quota():
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("needs PostgreSQL, or SQLite with a test database in a file")
    event = EventPageFactory(capacity=PLACES, quotas_release_at=timezone.now() + timedelta(days=7))
    EventQuota.objects.create(
        event=event, organisation_kind=OrganisationKind.POLICE_FORCE, places=QUOTA
    )
    forces = [seeded_organisation(slug) for slug in FORCES]
    people = [PractitionerFactory(organisation=forces[n % len(forces)]) for n in range(ATTEMPTS)]
    futures = register_all_at_once(event, people)
    assert [f.exception() for f in futures if f.exception() is not None] == []

    held = Counter(
        Registration.objects.filter(
            event=event, status__in=Registration.PLACE_STATUSES
        ).values_list("organisation__slug", flat=True)
    )
    # Five forces of ten people each, three places a force: 15 places, 35 waiting.
    assert held == dict.fromkeys(FORCES, QUOTA)
    assert Registration.objects.filter(event=event, status=Status.WAITING).count() == (
        ATTEMPTS - QUOTA * len(FORCES)
    )
