"""The briefings index and briefing pages: who sees what, and what a briefing page shows."""

from datetime import date, timedelta

import pytest

from briefings.models import BriefingIndexPage, BriefingPage, BriefingRelatedEvent
from briefings.services import recommendation_status_change
from kx_site.audience import Audience, Marking
from tests.events.factories import EventPageFactory
from tests.factories import PractitionerFactory, UserFactory
from tests.kx_site.audience_cases import ALLOWED, LEVELS, USERS, make_user

from .factories import BriefingPageFactory, RecommendationFactory

pytestmark = pytest.mark.django_db


def briefing_at(level, **fields):
    spec = {**LEVELS[level], **fields}
    slugs = spec.pop("organisation_slugs", [])
    briefing = BriefingPageFactory(**spec)
    if slugs:
        from accounts.models import Organisation

        briefing.restricted_to_organisations.set(Organisation.objects.filter(slug__in=slugs))
        briefing.save()
    return briefing


@pytest.mark.parametrize("level", list(LEVELS))
@pytest.mark.parametrize("kind", USERS)
def test_a_briefing_page_is_shown_only_to_its_audience(client, level, kind):
    briefing = briefing_at(level, title=f"Briefing for {level}")
    user = make_user(kind)
    if user.is_authenticated:
        client.force_login(user)

    response = client.get(briefing.url)

    if kind in ALLOWED[level]:
        assert response.status_code == 200
        assert f"Briefing for {level}" in response.content.decode()
    elif kind == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    else:
        assert response.status_code == 403
        assert "Briefing for" not in response.content.decode()


@pytest.mark.parametrize("kind", USERS)
def test_the_index_lists_only_the_briefings_the_reader_may_see(client, kind):
    for level in LEVELS:
        briefing_at(level, title=f"Listed {level} briefing")
    user = make_user(kind)
    if user.is_authenticated:
        client.force_login(user)

    response = client.get("/briefings/")

    assert response.status_code == 200
    content = response.content.decode()
    for level in LEVELS:
        assert (f"Listed {level} briefing" in content) == (kind in ALLOWED[level])
    assert f"{sum(kind in ALLOWED[level] for level in LEVELS)} briefing" in content


def test_the_index_lists_newest_first_20_a_page(client):
    today = date.today()
    for n in range(23):
        BriefingPageFactory(
            title=f"Briefing dated {n:02}",
            audience=Audience.PUBLIC,
            publication_date=today - timedelta(days=n),
        )

    first = client.get("/briefings/")
    second = client.get("/briefings/?page=2")

    titles = [b.title for b in first.context["briefings_page"].object_list]
    assert titles[:2] == ["Briefing dated 00", "Briefing dated 01"]
    assert len(titles) == 20
    assert [b.title for b in second.context["briefings_page"].object_list] == [
        "Briefing dated 20",
        "Briefing dated 21",
        "Briefing dated 22",
    ]
    assert "Pages of briefings" in first.content.decode()


def test_drafts_are_not_listed(client):
    BriefingPageFactory(title="Unpublished briefing", audience=Audience.PUBLIC, live=False)

    assert "Unpublished briefing" not in client.get("/briefings/").content.decode()


def test_a_briefing_page_shows_its_details_recommendations_and_their_history(
    practitioner_client,
):
    briefing = BriefingPageFactory(
        series="Home visits study",
        number=3,
        summary="Early results from twelve forces.",
        methods_note="Interviews with 40 officers.",
        marking=Marking.OFFICIAL_SENSITIVE,
    )
    recommendation = RecommendationFactory(
        briefing=briefing, number=1, text="Plan visits jointly."
    )
    recommendation_status_change(
        recommendation=recommendation,
        status="accepted",
        note="Agreed by the national lead.",
        date=date(2026, 1, 5),
    )
    recommendation_status_change(
        recommendation=recommendation, status="implemented", date=date(2026, 3, 1)
    )

    content = practitioner_client.get(briefing.url).content.decode()

    assert "Home visits study, number 3" in content
    assert "Early results from twelve forces." in content
    assert "Interviews with 40 officers." in content
    assert "OFFICIAL-SENSITIVE" in content
    assert "Plan visits jointly." in content
    assert "Implemented" in content
    assert "5 January 2026: Accepted</strong>. Agreed by the national lead." in content
    assert "1 March 2026: Implemented" in content


def test_related_events_are_shown_only_if_the_reader_may_see_them(client):
    briefing = BriefingPageFactory(audience=Audience.PUBLIC)
    open_event = EventPageFactory(title="Open workshop", audience=Audience.PUBLIC)
    closed_event = EventPageFactory(title="Practitioners' workshop")
    for event in (open_event, closed_event):
        BriefingRelatedEvent.objects.create(briefing=briefing, page=event)

    anonymous = client.get(briefing.url).content.decode()
    client.force_login(PractitionerFactory())
    practitioner = client.get(briefing.url).content.decode()

    assert "Open workshop" in anonymous
    assert "Practitioners&#x27; workshop" not in anonymous
    assert "Practitioners&#x27; workshop" in practitioner


def test_an_unpublished_related_event_is_not_linked(practitioner_client):
    briefing = BriefingPageFactory()
    event = EventPageFactory(title="Cancelled workshop")
    BriefingRelatedEvent.objects.create(briefing=briefing, page=event)
    event.unpublish()

    assert "Cancelled workshop" not in practitioner_client.get(briefing.url).content.decode()


def test_non_public_briefings_are_not_cached(client):
    briefing = BriefingPageFactory()
    client.force_login(PractitionerFactory())

    response = client.get(briefing.url)

    assert "private" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]


def test_briefings_live_only_under_the_briefings_index(index):
    assert BriefingPage.can_create_at(index)
    assert not BriefingPage.can_create_at(index.get_parent())
    assert not BriefingIndexPage.can_create_at(index)


def test_there_is_only_one_briefings_index(index):
    assert not BriefingIndexPage.can_create_at(index.get_parent())


def test_a_registered_member_is_told_why_they_cannot_read_a_practitioners_briefing(client):
    briefing = BriefingPageFactory(title="For practitioners")
    client.force_login(UserFactory())

    response = client.get(briefing.url)

    assert response.status_code == 403
    assert "For practitioners" not in response.content.decode()
