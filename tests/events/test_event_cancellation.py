"""Cancelling an event (issue 12): registration closes, every active registration is cancelled,
and each delegate gets one email with a METHOD:CANCEL calendar file for the entry they hold."""

from datetime import timedelta

import icalendar
import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from events.calendar_feeds import public_feed_events
from events.log_actions import registration_action, registration_logs
from events.models import EventPage, Registration
from events.organising.services import event_cancel
from events.services import registration_cancel, registration_create
from kx_site.audience import Audience, Marking
from tests.factories import PractitionerFactory, staff_member

from .factories import EventPageFactory

pytestmark = pytest.mark.django_db

Status = Registration.Status
REASON = "The venue has closed. We will hold the day again in the spring."


@pytest.fixture
def delegates():
    """One place: a confirmed delegate, one waiting, and one who had cancelled already."""
    event = EventPageFactory(title="MAPPA chairs' day", capacity=1)
    confirmed = registration_create(event=event, user=PractitionerFactory())
    waiting = registration_create(event=event, user=PractitionerFactory())
    gone = PractitionerFactory()
    registration_cancel(registration=registration_create(event=event, user=gone), actor=gone)
    mail.outbox.clear()
    return event, confirmed, waiting


def calendar_of(message):
    [(filename, content, mimetype)] = message.attachments
    assert (filename, mimetype) == ("event.ics", "text/calendar")
    calendar = icalendar.Calendar.from_ical(content)
    [entry] = calendar.walk("VEVENT")
    return calendar, entry


def test_every_active_delegate_is_told_once_with_a_calendar_cancellation(
    delegates, django_capture_on_commit_callbacks
):
    event, confirmed, waiting = delegates
    organiser = staff_member("Event organisers")
    sequence_before = confirmed.calendar_sequence

    with django_capture_on_commit_callbacks(execute=True):
        told = event_cancel(event=event, reason=REASON, actor=organiser)

    assert told == 2
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [confirmed.user.email, waiting.user.email]
    )
    message = next(m for m in mail.outbox if m.to == [confirmed.user.email])
    assert message.subject.endswith("Cancelled: MAPPA chairs' day")
    assert REASON in message.body
    calendar, entry = calendar_of(message)
    assert calendar["method"] == "CANCEL"
    assert entry["status"] == "CANCELLED"
    assert str(entry["uid"]) == confirmed.calendar_uid
    assert entry["sequence"] == sequence_before + 1
    for registration in (confirmed, waiting):
        registration.refresh_from_db()
        assert registration.status == Status.CANCELLED
    assert (
        registration_logs()
        .filter(action=registration_action("event_cancelled"), user=organiser)
        .count()
        == 2
    )


def test_a_cancelled_event_takes_no_registrations(delegates):
    event, _confirmed, _waiting = delegates
    event_cancel(event=event, reason=REASON, actor=None)

    # A fresh copy of the page, as a request would have.
    page = EventPage.objects.get(pk=event.pk)
    assert page.registration_is_open() is False
    with pytest.raises(ValidationError, match="closed"):
        registration_create(event=page, user=PractitionerFactory())


def test_a_copy_of_the_page_read_before_the_cancellation_is_refused_too(delegates):
    event, _confirmed, _waiting = delegates
    stale = EventPage.objects.get(pk=event.pk)
    assert stale.is_cancelled is False  # remembered as not cancelled

    event_cancel(event=event, reason=REASON, actor=None)

    with pytest.raises(ValidationError, match="closed"):
        registration_create(event=stale, user=PractitionerFactory())


def test_an_event_is_cancelled_once_with_a_reason_and_only_before_it_ends(delegates):
    event, _confirmed, _waiting = delegates
    with pytest.raises(ValidationError, match="reason"):
        event_cancel(event=event, reason="  ", actor=None)
    event_cancel(event=event, reason=REASON, actor=None)
    with pytest.raises(ValidationError, match="already cancelled"):
        event_cancel(event=event, reason=REASON, actor=None)
    start = timezone.now() - timedelta(days=3)
    past = EventPageFactory(
        start=start,
        end=start + timedelta(hours=7),
        registration_opens_at=start - timedelta(days=60),
        registration_closes_at=start - timedelta(days=1),
    )
    with pytest.raises(ValidationError, match="already taken place"):
        event_cancel(event=past, reason=REASON, actor=None)


def test_a_sensitive_events_cancellation_email_gives_title_and_link_only(
    django_capture_on_commit_callbacks,
):
    event = EventPageFactory(marking=Marking.OFFICIAL_SENSITIVE)
    delegate = PractitionerFactory()
    registration_create(event=event, user=delegate)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        event_cancel(event=event, reason="Moved to the Kent HQ, Maidstone.", actor=None)

    [message] = mail.outbox
    assert "Maidstone" not in message.body
    assert event.venue.name not in message.body
    _calendar, entry = calendar_of(message)
    assert "Maidstone" not in entry.to_ical().decode()


def test_the_event_page_and_listing_say_it_is_cancelled(client, delegates):
    event, confirmed, _waiting = delegates
    event_cancel(event=event, reason=REASON, actor=None)
    client.force_login(confirmed.user)

    page = client.get(event.url).content.decode()
    listing = client.get(event.get_parent().url).content.decode()

    assert "This event has been cancelled" in page and REASON in page
    assert reverse("events:register", args=[event.pk]) not in page
    assert "Cancelled" in listing


def test_the_public_feed_marks_a_cancelled_event(delegates):
    event, _confirmed, _waiting = delegates
    event.audience = Audience.PUBLIC
    event.save()
    event_cancel(event=event, reason=REASON, actor=None)

    [listed] = [e for e in public_feed_events() if e.pk == event.pk]
    assert listed.is_cancelled is True


def test_the_organiser_cancels_from_the_admin_after_giving_a_reason(
    client, delegates, django_capture_on_commit_callbacks
):
    event, _confirmed, _waiting = delegates
    client.force_login(staff_member("Event organisers"))
    url = reverse("events_organising:cancel", args=[event.pk])

    asked = client.get(url)
    assert asked.status_code == 200
    assert "2 people registered" in asked.content.decode()
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 400
    assert "Enter the reason to give delegates." in refused.content.decode()
    assert not EventPage.objects.get(pk=event.pk).is_cancelled

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reason": REASON})

    assert response.status_code == 302
    assert EventPage.objects.get(pk=event.pk).is_cancelled
    assert len(mail.outbox) == 2


def test_people_who_do_not_organise_events_cannot_cancel_them(client, delegates):
    event, confirmed, _waiting = delegates
    url = reverse("events_organising:cancel", args=[event.pk])
    for user in (confirmed.user, staff_member("Editors")):
        client.force_login(user)
        assert client.post(url, {"reason": REASON}).status_code in (302, 403)
    assert not EventPage.objects.get(pk=event.pk).is_cancelled
