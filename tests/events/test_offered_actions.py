"""My events offers an action exactly when the action's own page would allow it.

Each test goes through the cases of one action and asks both questions of the same
registration: is the link on My events, and what does the target page answer? They must agree.
"""

from datetime import datetime, time, timedelta

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import timezone

from events.feedback.services import feedback_closes_at
from events.models import FeedbackResponse, Registration
from kx_site.audience import Audience
from tests.factories import PractitionerFactory

from .factories import EventPageFactory, EventSessionFactory

pytestmark = pytest.mark.django_db

Status = Registration.Status


def past_event(days_ago, **fields):
    day = timezone.localdate() - timedelta(days=days_ago)
    start = timezone.make_aware(datetime.combine(day, time(9, 30)))
    return EventPageFactory(
        start=start,
        end=start + timedelta(hours=7),
        registration_opens_at=start - timedelta(days=60),
        registration_closes_at=start - timedelta(days=1),
        **fields,
    )


def my_events(client):
    return client.get(reverse("events:my_events")).content.decode()


# The programme -> whether there is anything to choose. A lone session open to all is a
# plenary: part of everyone's day, not a choice (issue 12).
PROGRAMMES = {"no sessions": False, "a plenary alone": False, "a session with places": True}


@pytest.mark.parametrize("programme", PROGRAMMES)
@pytest.mark.parametrize("status", [Status.CONFIRMED, Status.WAITING, Status.OFFERED])
def test_change_sessions_is_offered_exactly_when_the_page_allows_it(client, status, programme):
    event = EventPageFactory()
    if programme == "a plenary alone":
        EventSessionFactory(event=event, capacity=None)
    elif programme == "a session with places":
        EventSessionFactory(event=event, capacity=20)
    registration = Registration.objects.create(
        event=event, user=PractitionerFactory(), status=status
    )
    client.force_login(registration.user)
    url = reverse("events:change_sessions", args=[registration.pk])

    offered = url in my_events(client)
    page = client.get(url)

    assert offered is PROGRAMMES[programme]
    assert page.status_code == (200 if PROGRAMMES[programme] else 404)


def test_an_event_without_sessions_has_no_empty_sessions_row(client):
    registration = Registration.objects.create(
        event=EventPageFactory(), user=PractitionerFactory(), status=Status.CONFIRMED
    )
    client.force_login(registration.user)
    assert "None chosen" not in my_events(client)


# (days since the event, attended, feedback given already, verified email) -> may give feedback
FEEDBACK_CASES = {
    "open": (2, True, False, True),
    "open, given already": (2, True, True, True),
    "closed": (40, True, False, True),
    "closed, given already": (40, True, True, True),
    "not attended": (2, False, False, True),
    "email not verified": (2, True, False, False),
}


@pytest.mark.parametrize("case", FEEDBACK_CASES)
def test_feedback_is_offered_exactly_when_the_page_takes_it(client, case):
    days_ago, attended, given, verified = FEEDBACK_CASES[case]
    # Only a public event stays visible to someone whose email is not verified.
    event = past_event(days_ago, audience=Audience.PUBLIC)
    user = PractitionerFactory()
    if not verified:
        EmailAddress.objects.filter(user=user).update(verified=False)
    registration = Registration.objects.create(
        event=event,
        user=user,
        status=Status.CONFIRMED,
        checked_in_at=event.start if attended else None,
    )
    if given:
        FeedbackResponse.objects.create(
            registration=registration, event=event, overall_rating=4, practice_change=4
        )
    client.force_login(user)
    url = reverse("events:feedback", args=[registration.pk])

    content = my_events(client)
    page = client.get(url)

    assert (url in content) is (page.status_code == 200)
    assert page.status_code in (200, 403)
    closed_on = f"Feedback closed on {feedback_closes_at(event):%-d %B %Y}"
    assert (closed_on in content) is case.startswith("closed")
    if url in content:
        assert ("Change your feedback" in content) is given


def test_feedback_not_yet_open_is_neither_offered_nor_taken(client):
    """An event under way: on My events as upcoming, and the feedback page says not yet."""
    start = timezone.now() - timedelta(hours=1)
    event = EventPageFactory(
        start=start,
        end=start + timedelta(hours=7),
        registration_opens_at=start - timedelta(days=60),
        registration_closes_at=start - timedelta(days=1),
    )
    registration = Registration.objects.create(
        event=event, user=PractitionerFactory(), status=Status.CONFIRMED, checked_in_at=start
    )
    client.force_login(registration.user)
    url = reverse("events:feedback", args=[registration.pk])
    assert url not in my_events(client)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("attended", [False, True])
def test_certificate_is_offered_exactly_when_it_is_issued(client, attended):
    event = past_event(2)
    registration = Registration.objects.create(
        event=event,
        user=PractitionerFactory(),
        status=Status.CONFIRMED,
        checked_in_at=event.start if attended else None,
    )
    client.force_login(registration.user)
    url = reverse("events:certificate", args=[registration.pk])

    offered = url in my_events(client)
    page = client.get(url)

    assert offered is attended
    assert page.status_code == (200 if attended else 403)


@pytest.mark.parametrize("status", [Status.CONFIRMED, Status.WAITING, Status.OFFERED])
@pytest.mark.parametrize("name", ["events:ticket", "events:calendar", "events:cancel"])
def test_upcoming_actions_are_offered_exactly_when_their_page_answers(client, name, status):
    registration = Registration.objects.create(
        event=EventPageFactory(), user=PractitionerFactory(), status=status
    )
    client.force_login(registration.user)
    url = reverse(name, args=[registration.pk])

    offered = url in my_events(client)
    page = client.get(url)

    assert offered is (page.status_code == 200)
    assert page.status_code in (200, 404)
