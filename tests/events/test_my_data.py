"""A delegate can download their own data, and only their own."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse

from events.models import Registration
from tests.factories import PractitionerFactory

from .factories import EventPageFactory, EventSessionFactory

Status = Registration.Status

pytestmark = pytest.mark.django_db

URL = "/my-events/my-data.json"


def test_the_url():
    assert reverse("events:my_data") == URL


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_user_downloads_their_own_data_and_nobody_elses(client):
    me, someone_else = PractitionerFactory(), PractitionerFactory()
    event = EventPageFactory()
    session = EventSessionFactory(event=event, title="Risk assessment tools")
    mine = Registration.objects.create(
        event=event,
        user=me,
        status=Status.CONFIRMED,
        organisation=me.organisation,
        job_title=me.job_title,
        dietary_needs="Gluten-free",
        access_needs="Hearing loop",
    )
    mine.sessions.set([session])
    other_event = EventPageFactory(start=event.start + timedelta(days=1))
    Registration.objects.create(
        event=other_event, user=me, status=Status.CANCELLED, dietary_needs="Halal"
    )
    Registration.objects.create(
        event=event, user=someone_else, status=Status.CONFIRMED, dietary_needs="Nut allergy"
    )
    client.force_login(me)

    response = client.get(URL)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["account"]["email"] == me.email
    assert data["account"]["first_name"] == me.first_name
    assert data["account"]["last_name"] == me.last_name
    assert data["account"]["role"] == me.job_title
    assert data["account"]["organisation"] == me.organisation.name
    assert data["account"]["verified_at"] is not None
    assert [r["event"] for r in data["registrations"]] == [event.title, other_event.title]
    first, second = data["registrations"]
    assert first["status"] == "Confirmed"
    assert first["dietary_needs"] == "Gluten-free"
    assert first["access_needs"] == "Hearing loop"
    assert [s["title"] for s in first["sessions"]] == ["Risk assessment tools"]
    assert first["event_start"] and first["event_end"]
    assert first["ticket_short_code"] == mine.short_code
    assert second["status"] == "Cancelled"
    assert second["dietary_needs"] == "Halal"
    assert someone_else.email not in response.content.decode()
    assert "Nut allergy" not in response.content.decode()


def test_the_download_includes_the_delegates_feedback_and_certificate(client):
    from events.models import Certificate, FeedbackResponse, SessionFeedback

    me = PractitionerFactory()
    event = EventPageFactory()
    session = EventSessionFactory(event=event, title="Home visits")
    registration = Registration.objects.create(
        event=event, user=me, status=Status.CONFIRMED, organisation=me.organisation
    )
    feedback = FeedbackResponse.objects.create(
        registration=registration,
        event=event,
        overall_rating=4,
        practice_change=5,
        comments="The home visits session was the most useful.",
    )
    SessionFeedback.objects.create(response=feedback, session=session, usefulness=3)
    Certificate.objects.create(registration=registration, reference="KX-TEST-0001-0001")
    client.force_login(me)

    data = json.loads(client.get(URL).content)

    (mine,) = data["registrations"]
    assert mine["feedback"]["overall_rating"] == 4
    assert mine["feedback"]["practice_change"] == 5
    assert mine["feedback"]["comments"] == "The home visits session was the most useful."
    assert mine["feedback"]["sessions"] == [{"title": "Home visits", "usefulness": 3}]
    assert mine["certificate_reference"] == "KX-TEST-0001-0001"


def _registration_with_feedback(user, day):
    from events.models import FeedbackResponse, SessionFeedback

    event = EventPageFactory(slug=f"event-{day}")
    session = EventSessionFactory(event=event)
    registration = Registration.objects.create(event=event, user=user, status=Status.CONFIRMED)
    registration.sessions.set([session])
    feedback = FeedbackResponse.objects.create(
        registration=registration, event=event, overall_rating=4, practice_change=4
    )
    SessionFeedback.objects.create(response=feedback, session=session, usefulness=4)


def test_the_download_runs_a_fixed_number_of_queries(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    me = PractitionerFactory()
    client.force_login(me)
    _registration_with_feedback(me, 0)
    with CaptureQueriesContext(connection) as one:
        client.get(URL)
    for day in range(1, 6):
        _registration_with_feedback(me, day)
    with CaptureQueriesContext(connection) as six:
        response = client.get(URL)

    assert len(json.loads(response.content)["registrations"]) == 6
    assert len(six) == len(one)
