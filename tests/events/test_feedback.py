"""Feedback after an event: who may give it, what it records, the form, and the invitation."""

from datetime import datetime, time, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from events.feedback.invitations import send_feedback_invitations
from events.feedback.services import feedback_submit, sessions_attended
from events.log_actions import entry_text, registration_log
from events.models import FeedbackResponse, Registration, SessionFeedback
from kx_site.audience import Audience
from tests.factories import PractitionerFactory

from .factories import EventPageFactory, EventSessionFactory

pytestmark = pytest.mark.django_db

Status = Registration.Status


def past_event(days_ago=2, start=None, **fields):
    """A 7-hour event that started at 09:30 (UK time) ``days_ago`` days ago."""
    if start is None:
        day = timezone.localdate() - timedelta(days=days_ago)
        start = timezone.make_aware(datetime.combine(day, time(9, 30)))
    return EventPageFactory(
        start=start,
        end=start + timedelta(hours=7),
        registration_opens_at=start - timedelta(days=60),
        registration_closes_at=start - timedelta(days=1),
        **fields,
    )


def registration_for(event, user=None, *, attended=True, status=Status.CONFIRMED, sessions=()):
    registration = Registration.objects.create(
        event=event,
        user=user or PractitionerFactory(),
        status=status,
        checked_in_at=event.start if attended else None,
    )
    registration.sessions.set(sessions)
    return registration


@pytest.fixture
def programme():
    """A past event with a plenary, two parallel workshops and a closing plenary."""
    event = past_event()
    start = event.start
    sessions = {
        "opening": EventSessionFactory(event=event, title="Opening", start=start),
        "workshop_a": EventSessionFactory(
            event=event, title="Workshop A", start=start + timedelta(hours=2)
        ),
        "workshop_b": EventSessionFactory(
            event=event, title="Workshop B", start=start + timedelta(hours=2)
        ),
        "closing": EventSessionFactory(
            event=event, title="Closing", start=start + timedelta(hours=5)
        ),
    }
    return event, sessions


def feedback_url(registration):
    return reverse("events:feedback", args=[registration.pk])


# The service


def test_sessions_to_rate_are_the_plenaries_and_the_delegates_choices(programme):
    event, sessions = programme
    registration = registration_for(event, sessions=[sessions["workshop_b"]])
    assert [s.title for s in sessions_attended(registration)] == [
        "Opening",
        "Workshop B",
        "Closing",
    ]
    no_choice = registration_for(event)
    assert [s.title for s in sessions_attended(no_choice)] == ["Opening", "Closing"]


def test_an_attended_delegate_gives_feedback_once_and_may_change_it(programme):
    event, sessions = programme
    registration = registration_for(event, sessions=[sessions["workshop_a"]])

    response = feedback_submit(
        registration=registration,
        overall_rating=4,
        practice_change=5,
        comments="  Very practical.  ",
        session_ratings={
            sessions["opening"].pk: 3,
            sessions["workshop_a"].pk: 5,
            sessions["closing"].pk: None,
        },
    )
    assert (response.overall_rating, response.practice_change) == (4, 5)
    assert response.comments == "Very practical."
    assert response.event == event
    assert dict(response.session_ratings.values_list("session__title", "usefulness")) == {
        "Opening": 3,
        "Workshop A": 5,
    }

    again = feedback_submit(
        registration=registration,
        overall_rating=2,
        practice_change=1,
        comments="",
        session_ratings={sessions["workshop_a"].pk: 1},
    )
    assert again.pk == response.pk
    assert FeedbackResponse.objects.count() == 1
    again.refresh_from_db()
    assert (again.overall_rating, again.practice_change, again.comments) == (2, 1, "")
    assert list(SessionFeedback.objects.values_list("usefulness", flat=True)) == [1]
    assert [entry_text(e) for e in registration_log(registration)] == [
        "feedback given",
        "feedback changed",
    ]


@pytest.mark.parametrize(
    ("attended", "status", "days_ago", "code"),
    [
        (False, Status.CONFIRMED, 2, "not_attended"),
        (True, Status.CANCELLED, 2, "not_attended"),
        (True, Status.CONFIRMED, -5, "not_ended"),
        (True, Status.CONFIRMED, 40, "closed"),
    ],
)
def test_the_service_refuses_who_may_not_give_feedback(attended, status, days_ago, code):
    event = past_event(days_ago=days_ago)
    registration = registration_for(event, attended=attended, status=status)
    with pytest.raises(ValidationError) as error:
        feedback_submit(registration=registration, overall_rating=4, practice_change=4)
    assert error.value.code == code
    assert not FeedbackResponse.objects.exists()


def test_the_feedback_window_is_a_setting(settings):
    settings.KX_EVENT_FEEDBACK_DAYS = 60
    registration = registration_for(past_event(days_ago=40))
    assert feedback_submit(registration=registration, overall_rating=3, practice_change=3)


def test_the_service_refuses_bad_scores_and_sessions_not_attended(programme):
    event, sessions = programme
    registration = registration_for(event, sessions=[sessions["workshop_a"]])
    with pytest.raises(ValidationError) as error:
        feedback_submit(registration=registration, overall_rating=6, practice_change=3)
    assert "overall_rating" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        feedback_submit(
            registration=registration,
            overall_rating=3,
            practice_change=3,
            session_ratings={sessions["workshop_b"].pk: 4},
        )
    assert "session_ratings" in error.value.message_dict
    assert not FeedbackResponse.objects.exists()


# The form and its permissions


def test_anonymous_visitors_are_sent_to_sign_in(client):
    registration = registration_for(past_event())
    response = client.get(feedback_url(registration))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_an_unverified_email_cannot_give_feedback(client):
    event = past_event(audience=Audience.PUBLIC)
    registration = registration_for(event, PractitionerFactory(email_verified=False))
    client.force_login(registration.user)
    response = client.get(feedback_url(registration))
    assert response.status_code == 403
    assert "verified email address" in response.content.decode()
    assert client.post(feedback_url(registration), {}).status_code == 403


def test_a_delegate_who_did_not_attend_is_told_why(client):
    registration = registration_for(past_event(), attended=False)
    client.force_login(registration.user)
    response = client.get(feedback_url(registration))
    assert response.status_code == 403
    assert "only for delegates who were checked in" in response.content.decode()
    response = client.post(feedback_url(registration), {"overall_rating": "5"})
    assert response.status_code == 403
    assert not FeedbackResponse.objects.exists()


def test_another_users_registration_is_404(client):
    registration = registration_for(past_event())
    client.force_login(PractitionerFactory())
    assert client.get(feedback_url(registration)).status_code == 404
    assert client.post(feedback_url(registration), {"overall_rating": "5"}).status_code == 404
    assert not FeedbackResponse.objects.exists()


def test_before_the_event_ends_the_form_is_not_offered(client):
    registration = registration_for(past_event(days_ago=-3))
    client.force_login(registration.user)
    response = client.get(feedback_url(registration))
    assert response.status_code == 403
    assert "once the event has ended" in response.content.decode()


def test_an_attended_delegate_gives_feedback_through_the_form(client, programme):
    event, sessions = programme
    registration = registration_for(event, sessions=[sessions["workshop_a"]])
    client.force_login(registration.user)

    page = client.get(feedback_url(registration))
    assert page.status_code == 200
    content = page.content.decode()
    for text in ["Opening", "Workshop A", "Closing", "Will this event change your practice?"]:
        assert text in content
    assert "Workshop B" not in content

    response = client.post(
        feedback_url(registration),
        {
            "overall_rating": "5",
            f"session_{sessions['opening'].pk}": "4",
            f"session_{sessions['workshop_a'].pk}": "5",
            f"session_{sessions['closing'].pk}": "none",
            "practice_change": "4",
            "comments": "<script>alert(1)</script> Good day",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("events:my_events")
    feedback = FeedbackResponse.objects.get(registration=registration)
    assert (feedback.overall_rating, feedback.practice_change) == (5, 4)
    assert feedback.session_ratings.count() == 2

    # Back on the form, the answers are there to change.
    content = client.get(feedback_url(registration)).content.decode()
    assert "Change your feedback" in content
    assert 'value="5" checked' in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Good day" in content
    assert "<script>alert(1)</script>" not in content


def test_missing_answers_get_gov_uk_errors_and_keep_what_was_typed(client, programme):
    event, sessions = programme
    registration = registration_for(event)
    client.force_login(registration.user)

    response = client.post(
        feedback_url(registration),
        {f"session_{sessions['opening'].pk}": "3", "comments": "Kept text"},
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "There is a problem" in content
    assert "Select an overall rating for the event." in content
    assert "Select how much the event will change your practice." in content
    assert "Select how useful “Closing” was, or that you did not go to it." in content
    assert f'href="#id_session_{sessions["closing"].pk}_0"' in content
    assert "govuk-error-message" in content
    assert "Kept text" in content
    assert 'value="3" checked' in content
    assert response.context["form"].errors
    assert not FeedbackResponse.objects.exists()


def test_a_tampered_score_is_an_error_not_a_500(client):
    registration = registration_for(past_event())
    client.force_login(registration.user)
    response = client.post(
        feedback_url(registration), {"overall_rating": "9", "practice_change": "x"}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_my_events_links_attended_past_events_to_feedback_and_certificate(client):
    event = past_event()
    registration = registration_for(event)
    not_attended = registration_for(past_event(), registration.user, attended=False)
    client.force_login(registration.user)
    content = client.get(reverse("events:my_events")).content.decode()
    assert reverse("events:feedback", args=[registration.pk]) in content
    assert reverse("events:certificate", args=[registration.pk]) in content
    assert reverse("events:feedback", args=[not_attended.pk]) not in content
    assert reverse("events:certificate", args=[not_attended.pk]) not in content


# The invitation


def test_attended_delegates_are_invited_once(django_capture_on_commit_callbacks):
    event = past_event(days_ago=1)
    invited = registration_for(event)
    registration_for(event, attended=False)
    registration_for(event, status=Status.CANCELLED)
    already_gave = registration_for(event)
    FeedbackResponse.objects.create(
        registration=already_gave, event=event, overall_rating=4, practice_change=4
    )
    registration_for(past_event(days_ago=40))  # Feedback has closed.
    registration_for(past_event(days_ago=-2))  # Not over yet.

    with django_capture_on_commit_callbacks(execute=True):
        assert send_feedback_invitations() == 1
    [message] = mail.outbox
    assert message.to == [invited.user.email]
    assert event.title in message.subject
    assert reverse("events:feedback", args=[invited.pk]) in message.body
    invited.refresh_from_db()
    assert invited.feedback_invitation_sent_at is not None

    with django_capture_on_commit_callbacks(execute=True):
        assert send_feedback_invitations() == 0
        out = StringIO()
        call_command("send_event_reminders", stdout=out)
    assert len(mail.outbox) == 1
    assert "feedback" not in out.getvalue()


def test_the_cron_command_sends_invitations_and_says_so(django_capture_on_commit_callbacks):
    registration_for(past_event(days_ago=1))
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_event_reminders", stdout=out)
    assert "1 feedback invitation sent." in out.getvalue()
    assert len(mail.outbox) == 1


def test_the_invitation_for_a_sensitive_event_carries_only_title_and_links(
    django_capture_on_commit_callbacks,
):
    event = past_event(days_ago=1, marking="official_sensitive", summary="Nightjar operation")
    registration_for(event)
    with django_capture_on_commit_callbacks(execute=True):
        send_feedback_invitations()
    [message] = mail.outbox
    assert "Nightjar" not in message.body
    assert event.venue.name not in message.body
