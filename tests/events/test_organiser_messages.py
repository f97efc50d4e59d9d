"""Organisers message an event's confirmed delegates or its waiting list."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from events.log_actions import registration_action, registration_logs
from events.models import EventMessage, Registration
from events.organising.services import event_message_send
from kx_site.audience import Marking
from tests.factories import PractitionerFactory

from .test_organiser_tools import register, staff_user

pytestmark = pytest.mark.django_db

Status = Registration.Status
BODY = "Parking is closed on the day: please come by train to New Street."


@pytest.fixture
def organiser(db):
    return staff_user("organiser@kx.example", "Event organisers")


@pytest.fixture
def delegates(event):
    return {
        "confirmed": [register(event), register(event)],
        "waiting": [register(event, status=Status.WAITING)],
        "cancelled": [register(event, status=Status.CANCELLED)],
    }


def message_url(event):
    return reverse("events_organising:message", args=[event.pk])


def recipients():
    return sorted(address for message in mail.outbox for address in message.to)


def emails(registrations):
    return sorted(registration.user.email for registration in registrations)


# Permissions


def test_editors_outside_event_organisers_are_refused(client, event, delegates):
    client.force_login(staff_user("editor@kx.example", "Editors"))
    assert client.get(message_url(event)).status_code == 403
    response = client.post(
        message_url(event), {"audience": "confirmed", "subject": "Hi", "body": BODY}
    )
    assert response.status_code == 403
    assert not registration_logs().exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, event):
    response = client.get(message_url(event))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_organisers_see_the_form_linked_from_the_event_nav(client, organiser, event, delegates):
    client.force_login(organiser)
    response = client.get(reverse("events_organising:delegates", args=[event.pk]))
    assert message_url(event) in response.content.decode()
    response = client.get(message_url(event))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Confirmed delegates (2)" in content
    assert "The waiting list (1)" in content


# Sending


@pytest.mark.parametrize("audience", ["confirmed", "waiting"])
def test_the_message_goes_to_the_chosen_audience_only(
    client, organiser, event, delegates, audience, django_capture_on_commit_callbacks
):
    client.force_login(organiser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            message_url(event),
            {"audience": audience, "subject": "Travel on the day", "body": BODY},
            follow=True,
        )
    assert response.status_code == 200
    expected = delegates[audience]
    people = "person" if len(expected) == 1 else "people"
    assert f"Message sent to {len(expected)} {people}" in response.content.decode()
    assert recipients() == emails(expected)
    message = mail.outbox[0]
    assert "Travel on the day" in message.subject
    assert BODY in message.body
    assert event.url in message.body
    logged = registration_logs().filter(
        action=registration_action("organiser_message"), data__subject="Travel on the day"
    )
    assert sorted(int(entry.object_id) for entry in logged) == sorted(r.pk for r in expected)
    assert {entry.user for entry in logged} == {organiser}


def test_a_sensitive_event_email_never_carries_the_message(
    organiser, delegates, django_capture_on_commit_callbacks
):
    event = delegates["confirmed"][0].event
    event.marking = Marking.OFFICIAL_SENSITIVE
    event.save()
    assert event.is_sensitive
    with django_capture_on_commit_callbacks(execute=True):
        sent = event_message_send(
            event=event,
            audience="confirmed",
            subject="Covert tactics room change",
            body=BODY,
            actor=organiser,
        )
    assert sent == 2
    assert recipients() == emails(delegates["confirmed"])
    for message in mail.outbox:
        assert BODY not in message.body
        assert "Parking" not in message.body
        assert "Covert tactics room change" not in message.subject + message.body
        assert "new message from the organisers" in message.subject
        assert event.title in message.body
        assert event.url in message.body
    assert (
        registration_logs()
        .filter(
            action=registration_action("organiser_message"),
            data__subject="Covert tactics room change",
        )
        .count()
        == 2
    )


def test_a_long_subject_is_logged_whole(organiser, event, delegates):
    # The log's free-text column cut it to 64 characters; Wagtail's log keeps it in its data.
    subject = "A" * 140
    event_message_send(
        event=event, audience="waiting", subject=subject, body=BODY, actor=organiser
    )
    (entry,) = registration_logs()
    assert entry.action == registration_action("organiser_message")
    assert entry.data["subject"] == subject


# Errors


@pytest.mark.parametrize(
    "data, error",
    [
        ({"audience": "confirmed", "subject": "", "body": BODY}, "Enter a subject."),
        ({"audience": "confirmed", "subject": "Hello", "body": "  "}, "Enter the message."),
        ({"subject": "Hello", "body": BODY}, "Choose who the message is for."),
        ({"audience": "everyone", "subject": "Hello", "body": BODY}, "Select a valid choice"),
    ],
)
def test_a_message_with_errors_sends_nothing(
    client, organiser, event, delegates, data, error, django_capture_on_commit_callbacks
):
    client.force_login(organiser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(message_url(event), data)
    assert response.status_code == 400
    content = response.content.decode()
    assert error in content
    assert "nothing was sent" in content
    assert mail.outbox == []
    assert not registration_logs().exists()


@pytest.mark.parametrize(
    "fields",
    [
        {"audience": "confirmed", "subject": " ", "body": BODY},
        {"audience": "confirmed", "subject": "Hello", "body": ""},
        {"audience": "cancelled", "subject": "Hello", "body": BODY},
    ],
)
def test_the_service_refuses_an_incomplete_message(
    organiser, event, delegates, fields, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        event_message_send(event=event, actor=organiser, **fields)
    assert mail.outbox == []
    assert not registration_logs().exists()


def test_an_empty_audience_is_reported(client, organiser, event):
    client.force_login(organiser)
    response = client.post(
        message_url(event),
        {"audience": "waiting", "subject": "Hello", "body": BODY},
        follow=True,
    )
    assert "No one to send to" in response.content.decode()
    assert mail.outbox == []


# Reading stored messages on KX


@pytest.fixture
def sensitive_message(organiser, delegates, django_capture_on_commit_callbacks):
    event = delegates["confirmed"][0].event
    event.marking = Marking.OFFICIAL_SENSITIVE
    event.save()
    with django_capture_on_commit_callbacks(execute=True):
        event_message_send(
            event=event,
            audience="confirmed",
            subject="Covert tactics room change",
            body=BODY,
            actor=organiser,
        )
    return EventMessage.objects.get()


def test_every_message_is_kept_with_its_recipients(sensitive_message, organiser, delegates):
    assert sensitive_message.subject == "Covert tactics room change"
    assert sensitive_message.body == BODY
    assert sensitive_message.audience == "confirmed"
    assert sensitive_message.sent_by == organiser
    assert set(sensitive_message.recipients.all()) == set(delegates["confirmed"])


def test_the_sensitive_email_links_to_the_stored_message(sensitive_message):
    url = reverse("events:message", args=[sensitive_message.pk])
    for email in mail.outbox:
        assert url in email.body
        assert BODY not in email.body


def test_a_recipient_reads_the_message_from_my_events(client, sensitive_message, delegates):
    client.force_login(delegates["confirmed"][0].user)
    url = reverse("events:message", args=[sensitive_message.pk])

    my_events = client.get(reverse("events:my_events")).content.decode()
    assert url in my_events
    assert "Covert tactics room change" in my_events

    response = client.get(url)
    assert response.status_code == 200
    content = response.content.decode()
    assert BODY in content
    assert "OFFICIAL-SENSITIVE" in content
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("who", ["waiting", "cancelled"])
def test_people_the_message_was_not_sent_to_cannot_read_it(
    client, sensitive_message, delegates, who
):
    client.force_login(delegates[who][0].user)
    url = reverse("events:message", args=[sensitive_message.pk])

    assert client.get(url).status_code == 404
    assert url not in client.get(reverse("events:my_events")).content.decode()


def test_other_practitioners_and_organisers_cannot_read_it_as_delegates(
    client, sensitive_message, organiser
):
    url = reverse("events:message", args=[sensitive_message.pk])
    client.force_login(PractitionerFactory())
    assert client.get(url).status_code == 404
    client.force_login(organiser)
    assert client.get(url).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in_for_a_message(client, sensitive_message):
    response = client.get(reverse("events:message", args=[sensitive_message.pk]))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_a_recipient_who_may_no_longer_see_the_event_cannot_read_it(
    client, sensitive_message, delegates
):
    user = delegates["confirmed"][0].user
    user.organisation = None
    user.verified_at = None
    user.save()
    client.force_login(user)

    assert client.get(reverse("events:message", args=[sensitive_message.pk])).status_code == 404


def test_no_message_is_kept_when_no_one_is_sent_it(organiser, event):
    assert (
        event_message_send(
            event=event, audience="waiting", subject="Hello", body=BODY, actor=organiser
        )
        == 0
    )
    assert not EventMessage.objects.exists()


def test_organisers_see_the_messages_already_sent(client, organiser, sensitive_message):
    client.force_login(organiser)

    content = client.get(message_url(sensitive_message.event)).content.decode()

    assert "Messages sent" in content
    assert "Covert tactics room change" in content
