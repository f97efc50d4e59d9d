"""Briefings with their recommendations, and forum threads, in search: who finds what."""

import pytest

from accounts.models import OrganisationKind
from forums import services as forum_services
from forums.models import ForumCategory
from kx_site.audience import Audience, Marking
from search import selectors
from search.index import alias_name
from search.models import SearchEntry
from search.queries import SearchQuery
from tests.briefings.factories import BriefingPageFactory, RecommendationFactory
from tests.factories import (
    PractitionerFactory,
    ProbationPractitionerFactory,
    UserFactory,
    staff_member,
)

pytestmark = pytest.mark.django_db


def titles(user, text):
    return sorted(hit.title for hit in selectors.search(SearchQuery(text=text), user).hits)


def refresh(backend):
    if backend.engine:
        backend.engine.refresh(alias_name())


def test_briefings_bring_their_recommendations(backend):
    briefing = BriefingPageFactory(title="Goshawk evaluation", audience=Audience.REGISTERED)
    RecommendationFactory(briefing=briefing, number=1, text="Record goshawk outcomes quickly.")
    backend.index()
    assert titles(UserFactory(), "goshawk") == [
        "Goshawk evaluation",
        "Recommendation 1: Goshawk evaluation",
    ]
    assert titles(UserFactory(email_verified=False), "goshawk") == []


def category(slug, **fields):
    return ForumCategory.objects.create(name=slug.title(), slug=slug, **fields)


def test_forum_threads_follow_their_category(backend, django_capture_on_commit_callbacks):
    police = PractitionerFactory()
    probation = ProbationPractitionerFactory()
    everyone = category("ospreys", audience=Audience.PRACTITIONERS)
    police_only = category(
        "osprey-police",
        audience=Audience.RESTRICTED,
        restricted_to_kinds=[OrganisationKind.POLICE_FORCE],
        marking=Marking.OFFICIAL_SENSITIVE,
    )
    with django_capture_on_commit_callbacks(execute=True):
        thread = forum_services.thread_create(
            category=everyone, author=police, title="Osprey visits", body="Osprey planning notes."
        )
    refresh(backend)
    assert titles(probation, "osprey") == ["Osprey visits"]
    assert titles(UserFactory(), "osprey") == []
    assert SearchEntry.objects.get(key=f"thread:{thread.pk}").audience == Audience.PRACTITIONERS

    moderator = staff_member("Moderators")
    with django_capture_on_commit_callbacks(execute=True):
        forum_services.thread_move(thread=thread, moderator=moderator, category=police_only)
    refresh(backend)
    assert titles(probation, "osprey") == []
    assert titles(police, "osprey") == ["Osprey visits"]
