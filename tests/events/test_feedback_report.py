"""The organisers' feedback report: permissions, numbers, charts with tables, bounded queries."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from events.feedback.report import feedback_report
from events.models import FeedbackResponse, SessionFeedback
from tests.factories import PractitionerFactory

from .factories import EventSessionFactory
from .test_feedback import past_event, registration_for
from .test_organiser_tools import staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser_client(client):
    client.force_login(staff_user("organiser@kx.example", "Event organisers"))
    return client


def report_url(event):
    return reverse("events_feedback:report", args=[event.pk])


def give(event, overall, practice, comments="", ratings=(), user=None):
    registration = registration_for(event, user)
    response = FeedbackResponse.objects.create(
        registration=registration,
        event=event,
        overall_rating=overall,
        practice_change=practice,
        comments=comments,
    )
    for session, usefulness in ratings:
        SessionFeedback.objects.create(response=response, session=session, usefulness=usefulness)
    return response


@pytest.fixture
def event_with_feedback():
    event = past_event()
    plenary = EventSessionFactory(event=event, title="Plenary on ARMS")
    workshop = EventSessionFactory(event=event, title="Workshop on ViSOR")
    give(
        event,
        5,
        4,
        "Brilliant day",
        [(plenary, 5), (workshop, 4)],
        user=PractitionerFactory(first_name="Priya", last_name="Shah"),
    )
    give(event, 4, 4, "", [(plenary, 3)])
    give(event, 4, 2, "Too much on one day", [(plenary, 4)])
    registration_for(event)  # Attended, gave no feedback.
    registration_for(event, attended=False)  # Did not come.
    return event, plenary, workshop


# Permissions


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(report_url(past_event()))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_delegates_and_editors_are_kept_out(client, event_with_feedback):
    event, *_ = event_with_feedback
    client.force_login(PractitionerFactory())
    response = client.get(report_url(event))
    assert response.status_code in (302, 403)
    assert "Brilliant day" not in response.content.decode()

    client.force_login(staff_user("editor@kx.example", "Editors"))
    response = client.get(report_url(event))
    assert response.status_code == 403
    assert "Brilliant day" not in response.content.decode()


def test_an_unknown_event_is_404(organiser_client):
    assert organiser_client.get(reverse("events_feedback:report", args=[99999])).status_code == 404


# The numbers


def test_the_report_counts_responses_and_computes_the_rate(event_with_feedback):
    event, *_ = event_with_feedback
    report = feedback_report(event)
    assert report["attended"] == 4
    assert report["responses"] == 3
    assert report["response_rate"] == 75
    overall, practice = report["distribution_charts"]
    assert [bar.value for bar in overall.bars] == [0, 0, 0, 2, 1]
    assert [bar.value_text for bar in practice.bars] == [
        "0 (0%)",
        "1 (33%)",
        "0 (0%)",
        "2 (67%)",
        "0 (0%)",
    ]
    # The longest bar is the most common answer.
    assert overall.bars[3].width == max(bar.width for bar in overall.bars)
    means = {
        session.title: (session.mean_usefulness, session.ratings) for session in report["sessions"]
    }
    assert means == {"Plenary on ARMS": (4, 3), "Workshop on ViSOR": (4, 1)}
    assert report["comments"] == ["Brilliant day", "Too much on one day"]


def test_an_event_without_feedback_reports_nothing_yet(organiser_client):
    event = past_event()
    report = feedback_report(event)
    assert (report["attended"], report["responses"], report["response_rate"]) == (0, 0, None)
    content = organiser_client.get(report_url(event)).content.decode()
    assert "No feedback yet" in content


def test_the_page_shows_charts_with_tables_and_unattributed_comments(
    organiser_client, event_with_feedback
):
    event, *_ = event_with_feedback
    response = organiser_client.get(report_url(event))
    assert response.status_code == 200
    content = response.content.decode()

    assert re.search(r'<td id="feedback-responses">3</td>', content)
    assert re.search(r'<td id="feedback-rate">75%</td>', content)
    svgs = re.findall(r'<svg role="img"[^>]*>.*?</svg>', content, flags=re.S)
    assert len(svgs) == 3
    for svg in svgs:
        assert "<title id=" in svg
        assert "<desc id=" in svg
    for table in ("table-overall", "table-practice", "table-sessions"):
        assert f'id="{table}"' in content
    assert '<th scope="row">4 – Good</th><td>2 (67%)</td>' in content
    assert "Plenary on ARMS" in content
    assert "4.0" in content
    assert "Brilliant day" in content
    assert "Too much on one day" in content
    # Comments are not attributed: no delegate's name or email appears.
    assert "Priya" not in content
    assert "Shah" not in content
    assert "@kent.police.uk" not in content
    assert reverse("events_feedback:report", args=[event.pk]) in content  # In the tools' nav.


def test_comments_are_escaped(organiser_client):
    event = past_event()
    give(event, 3, 3, '<img src=x onerror="alert(1)">')
    content = organiser_client.get(report_url(event)).content.decode()
    assert "<img src=x" not in content
    assert "&lt;img src=x" in content


def test_the_report_runs_a_fixed_number_of_queries(organiser_client):
    event = past_event()
    sessions = [EventSessionFactory(event=event), EventSessionFactory(event=event)]

    def add(count):
        for index in range(count):
            give(
                event,
                1 + index % 5,
                1 + (index + 2) % 5,
                f"Comment {index}",
                [
                    (sessions[0], 1 + index % 5),
                    (sessions[1], 5),
                ],
            )

    def queries():
        organiser_client.get(report_url(event))  # Warm per-user caches.
        with CaptureQueriesContext(connection) as captured:
            response = organiser_client.get(report_url(event))
        assert response.status_code == 200
        return len(captured)

    add(2)
    few = queries()
    add(25)
    assert queries() == few


def test_the_demo_past_conference_has_feedback_once():
    from events.demo import ensure_demo_events
    from events.models import EventPage

    ensure_demo_events()
    ensure_demo_events()

    past = EventPage.objects.get(slug="joint-working-conference-past")
    report = feedback_report(past)
    assert (report["attended"], report["responses"], report["response_rate"]) == (5, 4, 80)
    assert all(session.ratings == 4 for session in report["sessions"])
    assert len(report["comments"]) == 4


# The list of past events


def test_the_feedback_list_is_for_organisers_only(client):
    url = reverse("events_feedback:index")
    response = client.get(url)
    assert response.status_code == 302
    assert "login" in response["Location"]
    client.force_login(staff_user("editor@kx.example", "Editors"))
    assert client.get(url).status_code == 403
    assert "Event feedback" not in client.get(reverse("wagtailadmin_home")).content.decode()


def test_the_feedback_list_shows_ended_events_with_their_numbers(
    organiser_client, event_with_feedback
):
    event, *_ = event_with_feedback
    upcoming = past_event(days_ago=-10)
    assert "Event feedback" in organiser_client.get(reverse("wagtailadmin_home")).content.decode()

    response = organiser_client.get(reverse("events_feedback:index"))

    assert response.status_code == 200
    [listed] = response.context["page_obj"].object_list
    assert (listed.pk, listed.attended, listed.responses) == (event.pk, 4, 3)
    content = response.content.decode()
    assert report_url(event) in content
    assert upcoming.title not in content


def test_the_feedback_list_runs_a_fixed_number_of_queries(organiser_client):
    def add(count):
        for _ in range(count):
            event = past_event()
            give(event, 4, 4)
            registration_for(event)

    def queries():
        url = reverse("events_feedback:index")
        organiser_client.get(url)  # Warm per-user caches.
        with CaptureQueriesContext(connection) as captured:
            assert organiser_client.get(url).status_code == 200
        return len(captured)

    add(2)
    few = queries()
    add(10)
    assert queries() == few
