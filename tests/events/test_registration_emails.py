"""Registration emails are rendered by the task worker, and the lock is held for few queries.

``registration_create`` queues a task after commit; the task renders the email and calendar
file. What the email says as of the change (status, calendar SEQUENCE) travels with the task, so
an email rendered after a later change still tells the story in the right order.
"""

from datetime import timedelta

import icalendar
import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import OrganisationKind
from events.models import EventQuota, Registration
from events.services import registration_cancel, registration_create
from tests.factories import PractitionerFactory

from .factories import EventPageFactory

pytestmark = pytest.mark.django_db

Status = Registration.Status


def _calendar_entry(message):
    [(_, content, _)] = message.attachments
    [entry] = icalendar.Calendar.from_ical(content).walk("VEVENT")
    return entry


def test_registering_renders_no_email_until_the_task_runs(django_capture_on_commit_callbacks):
    event = EventPageFactory(title="National MAPPA conference")
    person = PractitionerFactory()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        registration_create(event=event, user=person)

    # Queued for after commit, and not yet sent: the request rendered nothing.
    assert len(callbacks) == 1
    assert mail.outbox == []
    callbacks[0]()
    [message] = mail.outbox
    assert message.to == [person.email]
    assert "National MAPPA conference" in message.subject
    assert str(_calendar_entry(message)["status"]) == "CONFIRMED"


def test_a_confirmation_sent_after_a_cancellation_keeps_its_older_calendar_sequence(
    django_capture_on_commit_callbacks,
):
    event = EventPageFactory()
    person = PractitionerFactory()
    with django_capture_on_commit_callbacks(execute=False) as confirmation:
        registration = registration_create(event=event, user=person)

    # The worker is slow: the delegate cancels before their confirmation has gone.
    with django_capture_on_commit_callbacks(execute=True):
        registration_cancel(registration=registration, actor=person)
    confirmation[0]()

    cancelled, confirmed = mail.outbox
    assert "cancelled" in cancelled.subject.lower()
    assert "confirmed" in confirmed.subject.lower()
    # Calendar programs keep the entry with the higher SEQUENCE: the cancellation wins, in
    # whichever order the two emails arrive.
    assert int(_calendar_entry(confirmed)["sequence"]) == 0
    assert str(_calendar_entry(confirmed)["status"]) == "CONFIRMED"
    assert int(_calendar_entry(cancelled)["sequence"]) == 1
    assert str(_calendar_entry(cancelled)["status"]) == "CANCELLED"


def test_no_email_for_a_registration_deleted_before_the_task_ran(
    django_capture_on_commit_callbacks,
):
    event = EventPageFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        registration = registration_create(event=event, user=PractitionerFactory())
    Registration.objects.filter(pk=registration.pk).delete()

    callbacks[0]()

    assert mail.outbox == []


def test_the_quota_email_says_the_organisation_used_up_its_places(
    django_capture_on_commit_callbacks,
):
    event = EventPageFactory(capacity=5, quotas_release_at=timezone.now() + timedelta(days=7))
    EventQuota.objects.create(
        event=event, organisation_kind=OrganisationKind.POLICE_FORCE, places=1
    )
    first, second = PractitionerFactory.create_batch(2)  # both from the same force
    registration_create(event=event, user=first)

    with django_capture_on_commit_callbacks(execute=True):
        waiting = registration_create(event=event, user=second)

    assert (waiting.status, waiting.quota_full) == (Status.WAITING, True)
    [message] = mail.outbox
    assert f"{second.organisation.name} has used up its places" in message.body


@pytest.mark.parametrize("places", [1, 0], ids=["a place", "full"])
def test_registering_takes_a_fixed_handful_of_queries(places):
    """Everyone registering for the same event queues behind the event's row lock: what runs
    between the lock and the commit is paid for by all of them. Before the lock: the person's
    confirmed email address and the event's quotas; under it: the lock, one count, the
    registration and its log entry. Nothing grows with the registrations already made."""
    event = EventPageFactory(capacity=places + 30)
    for person in PractitionerFactory.create_batch(30):
        registration_create(event=event, user=person)
    person = PractitionerFactory()

    with CaptureQueriesContext(connection) as queries:
        registration = registration_create(event=event, user=person)

    assert registration.status == (Status.CONFIRMED if places else Status.WAITING)
    statements = [
        query["sql"]
        for query in queries.captured_queries
        if not query["sql"].upper().startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
    ]
    assert len(statements) == 6, "\n".join(statements)
    if connection.vendor == "postgresql":  # SQLite has no row locks: no FOR UPDATE to see
        lock = next(i for i, sql in enumerate(statements) if "FOR UPDATE" in sql.upper())
        assert lock == 2, "the checks and the event's quotas are read before the lock"
        # Only the event's own row, not the Wagtail page's row with all its columns.
        assert 'FOR UPDATE OF "events_eventpage"' in statements[lock]
