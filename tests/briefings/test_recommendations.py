"""Recommendations: dated status history, the tracker's filters and counts, the admin view."""

from datetime import date, timedelta

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import User
from briefings.models import RecommendationStatusChange, with_current_status
from briefings.services import recommendation_status_change
from kx_site.audience import Audience
from practice_library.models import Topic
from tests.factories import (
    PractitionerFactory,
    ProbationPractitionerFactory,
    UserFactory,
    with_second_factor,
)

from .factories import BriefingPageFactory, RecommendationFactory

pytestmark = pytest.mark.django_db


def current_status(recommendation):
    return with_current_status(type(recommendation).objects.filter(pk=recommendation.pk)).get()


def test_a_new_recommendation_is_proposed(db):
    recommendation = RecommendationFactory()

    assert current_status(recommendation).current_status == "proposed"


def test_each_status_change_is_dated_and_kept(db):
    recommendation = RecommendationFactory()
    editor = UserFactory()

    recommendation_status_change(
        recommendation=recommendation,
        status="accepted",
        note="Agreed",
        actor=editor,
        date=date(2026, 1, 1),
    )
    recommendation_status_change(recommendation=recommendation, status="in_progress")

    history = list(recommendation.history.all())
    assert [(c.status, c.note) for c in history] == [("accepted", "Agreed"), ("in_progress", "")]
    assert history[0].actor == editor
    assert history[1].date == timezone.localdate()
    assert current_status(recommendation).current_status == "in_progress"


def test_the_latest_date_decides_the_current_status(db):
    recommendation = RecommendationFactory()
    recommendation_status_change(
        recommendation=recommendation, status="implemented", date=date(2026, 3, 1)
    )
    recommendation_status_change(
        recommendation=recommendation, status="accepted", date=date(2026, 1, 1)
    )

    assert current_status(recommendation).current_status == "implemented"


def test_a_change_dated_in_the_future_is_refused(db):
    recommendation = RecommendationFactory()

    with pytest.raises(ValidationError):
        recommendation_status_change(
            recommendation=recommendation,
            status="accepted",
            date=timezone.localdate() + timedelta(days=1),
        )

    assert not RecommendationStatusChange.objects.exists()


def test_an_unknown_status_is_refused(db):
    with pytest.raises(ValidationError):
        recommendation_status_change(recommendation=RecommendationFactory(), status="done")


def test_republishing_the_page_keeps_the_status_and_history(db):
    briefing = BriefingPageFactory()
    recommendation = RecommendationFactory(briefing=briefing)
    briefing.save_revision().publish()
    recommendation_status_change(recommendation=recommendation, status="implemented")

    briefing.refresh_from_db()
    briefing.title = "Renamed briefing"
    briefing.save_revision().publish()

    assert current_status(recommendation).current_status == "implemented"
    assert recommendation.history.count() == 1


def tracker(client, query=""):
    return client.get("/briefings/recommendations/" + query)


def make_tracker_data():
    topic = Topic.objects.order_by("name").first()
    public = BriefingPageFactory(title="Public briefing", audience=Audience.PUBLIC)
    public.topics.set([topic])
    public.save()
    police = BriefingPageFactory(
        title="Police briefing",
        audience=Audience.RESTRICTED,
        restricted_to_kinds=["police_force"],
    )
    draft = BriefingPageFactory(title="Draft briefing", audience=Audience.PUBLIC, live=False)
    made = {}
    for briefing, owners in ((public, ["police", "probation", "both"]), (police, ["police"] * 4)):
        for number, owner in enumerate(owners, start=1):
            made[(briefing.title, number)] = RecommendationFactory(
                briefing=briefing, number=number, owner=owner, text=f"{briefing.title} {number}"
            )
    RecommendationFactory(briefing=draft, number=1, text="Draft recommendation")
    for key in [("Public briefing", 1), ("Police briefing", 1), ("Police briefing", 2)]:
        recommendation_status_change(recommendation=made[key], status="implemented")
    return {"topic": topic, "public": public, "police": police}


@pytest.mark.parametrize(
    ("kind", "total", "implemented"),
    [("anonymous", 3, 1), ("registered", 3, 1), ("probation", 3, 1), ("police", 7, 3)],
)
def test_the_tracker_counts_only_what_the_reader_may_see(client, kind, total, implemented):
    make_tracker_data()
    users = {
        "registered": UserFactory,
        "probation": ProbationPractitionerFactory,
        "police": PractitionerFactory,
    }
    if kind in users:
        client.force_login(users[kind]())

    response = tracker(client)

    content = response.content.decode()
    assert response.status_code == 200
    assert f"{total} recommendations, {implemented} implemented" in content
    assert ("Police briefing 1" in content) == (kind == "police")
    assert "Draft recommendation" not in content
    # Filters offer only briefings the reader may see.
    assert ("Police briefing</option>" in content) == (kind == "police")


def test_the_tracker_filters_by_status_owner_briefing_and_topic(client):
    data = make_tracker_data()
    client.force_login(PractitionerFactory())

    by_status = tracker(client, "?status=implemented").content.decode()
    by_owner = tracker(client, "?owner=probation").content.decode()
    by_briefing = tracker(client, f"?briefing={data['police'].pk}").content.decode()
    by_topic = tracker(client, f"?topic={data['topic'].slug}").content.decode()
    combined = tracker(client, "?status=implemented&owner=police").content.decode()

    assert "3 recommendations, 3 implemented" in by_status
    assert "1 recommendation, 0 implemented" in by_owner
    assert "Public briefing 2" in by_owner
    assert "4 recommendations, 2 implemented" in by_briefing
    assert "3 recommendations, 1 implemented" in by_topic
    assert "3 recommendations, 3 implemented" in combined


def test_a_briefing_the_reader_may_not_see_cannot_be_filtered_on(client):
    data = make_tracker_data()
    client.force_login(ProbationPractitionerFactory())

    response = tracker(client, f"?briefing={data['police'].pk}")

    assert response.status_code == 200
    assert "Police briefing" not in response.content.decode()


def test_nonsense_filters_are_ignored_not_an_error(client):
    make_tracker_data()

    response = tracker(client, "?status=nonsense&briefing=abc&page=99")

    assert response.status_code == 200
    assert "3 recommendations, 1 implemented" in response.content.decode()


def test_a_valid_filter_applies_beside_a_nonsense_one(client):
    make_tracker_data()

    response = tracker(client, "?status=implemented&owner=nobody")

    assert "1 recommendation, 1 implemented" in response.content.decode()


@pytest.fixture
def staff_client(client):
    def make(group):
        user = User.objects.create_user(email=f"{group[:3].lower()}@kx.example", password="x" * 14)
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        if group:
            user.groups.add(Group.objects.get(name=group))
        with_second_factor(user)
        client.force_login(user)
        return user

    return make


def test_an_editor_changes_a_status_in_the_admin_and_it_is_recorded(client, staff_client):
    recommendation = RecommendationFactory(number=4)
    editor = staff_client("Editors")

    listing = client.get("/admin/briefings/recommendations/")
    form = client.get(f"/admin/briefings/recommendations/{recommendation.pk}/status/")
    response = client.post(
        f"/admin/briefings/recommendations/{recommendation.pk}/status/",
        {"status": "accepted", "date": "2026-02-03", "note": "Accepted by the NPCC lead."},
    )

    assert listing.status_code == 200
    assert "Change status" in listing.content.decode()
    assert form.status_code == 200
    assert response.status_code == 302
    change = recommendation.history.get()
    assert (change.status, change.date, change.note, change.actor) == (
        "accepted",
        date(2026, 2, 3),
        "Accepted by the NPCC lead.",
        editor,
    )


def test_a_bad_status_form_shows_errors_and_changes_nothing(client, staff_client):
    recommendation = RecommendationFactory()
    staff_client("Editors")

    response = client.post(
        f"/admin/briefings/recommendations/{recommendation.pk}/status/",
        {"status": "", "date": "yesterday", "note": "Kept"},
    )

    assert response.status_code == 400
    content = response.content.decode()
    assert "Select the recommendation" in content
    assert "Enter the date of the change as YYYY-MM-DD" in content
    assert "Kept" in content
    assert not recommendation.history.exists()


def test_a_future_date_is_refused_with_a_clear_error(client, staff_client):
    recommendation = RecommendationFactory()
    staff_client("Editors")
    tomorrow = timezone.localdate() + timedelta(days=1)

    response = client.post(
        f"/admin/briefings/recommendations/{recommendation.pk}/status/",
        {"status": "accepted", "date": tomorrow.isoformat()},
    )

    assert response.status_code == 400
    assert "today or in the past" in response.content.decode()
    assert not recommendation.history.exists()


def test_staff_without_page_permissions_cannot_change_a_status(client, staff_client):
    recommendation = RecommendationFactory()
    staff_client("Moderators")

    response = client.post(
        f"/admin/briefings/recommendations/{recommendation.pk}/status/",
        {"status": "accepted", "date": "2026-02-03"},
    )

    assert response.status_code in (302, 403)
    assert not recommendation.history.exists()


def test_a_practitioner_cannot_reach_the_admin_view(client):
    recommendation = RecommendationFactory()
    client.force_login(PractitionerFactory())

    response = client.post(
        f"/admin/briefings/recommendations/{recommendation.pk}/status/",
        {"status": "accepted", "date": "2026-02-03"},
    )

    assert response.status_code in (302, 403)
    assert not recommendation.history.exists()
