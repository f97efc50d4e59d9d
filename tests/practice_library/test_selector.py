"""``practice_search``: visibility, then filters and sorts; facets count visible items only."""

import pytest

from accounts.models import OrganisationKind
from kx_site.audience import Audience
from practice_library.models import DoesItWork, EvidenceStage, Topic
from practice_library.selectors import practice_search
from tests.factories import (
    PractitionerFactory,
    ProbationPractitionerFactory,
    UserFactory,
    seeded_organisation,
)

from .factories import PracticePageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def topics():
    return {t.slug: t for t in Topic.objects.all()}


@pytest.fixture
def practices(topics):
    mappa, arms, visits = topics["mappa"], topics["arms-practice"], topics["home-visits"]
    london = seeded_organisation("probation-service-london")
    return {
        "public": PracticePageFactory(
            title="B public",
            audience=Audience.PUBLIC,
            does_it_work=DoesItWork.WORKED,
            evidence_stage=EvidenceStage.INDEPENDENTLY_EVALUATED,
            topics=[mappa, arms],
        ),
        "practitioners": PracticePageFactory(
            title="C practitioners",
            organisation=london,
            does_it_work=DoesItWork.PROMISING,
            evidence_stage=EvidenceStage.UNTESTED,
            topics=[arms],
        ),
        "police": PracticePageFactory(
            title="A police",
            audience=Audience.RESTRICTED,
            restricted_to_kinds=[OrganisationKind.POLICE_FORCE],
            does_it_work=DoesItWork.DID_NOT_WORK,
            topics=[visits],
        ),
        "draft": PracticePageFactory(title="D draft", audience=Audience.PUBLIC, live=False),
    }


def titles(results):
    return [p.title for p in results.practices]


def test_each_user_gets_only_what_they_may_see(practices):
    assert titles(practice_search(user=UserFactory(), sort="title")) == ["B public"]
    assert titles(practice_search(user=ProbationPractitionerFactory(), sort="title")) == [
        "B public",
        "C practitioners",
    ]
    assert titles(practice_search(user=PractitionerFactory(), sort="title")) == [
        "A police",
        "B public",
        "C practitioners",
    ]


def test_a_restricted_practice_is_never_counted_in_any_facet(practices):
    facets = practice_search(user=ProbationPractitionerFactory()).facets

    assert "home-visits" not in facets["topics"]
    assert DoesItWork.DID_NOT_WORK not in facets["does_it_work"]
    assert facets["organisation"] == {"kent-police": 1, "probation-service-london": 1}
    assert facets["topics"] == {"mappa": 1, "arms-practice": 2}


def test_a_practice_with_two_chosen_topics_is_listed_once(practices):
    results = practice_search(user=PractitionerFactory(), topics=["mappa", "arms-practice"])

    assert sorted(titles(results)) == ["B public", "C practitioners"]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"topics": ["home-visits"]}, ["A police"]),
        (
            {"does_it_work": [DoesItWork.WORKED, DoesItWork.PROMISING]},
            ["B public", "C practitioners"],
        ),
        ({"evidence_stages": [EvidenceStage.UNTESTED]}, ["C practitioners"]),
        ({"organisation_kinds": [OrganisationKind.PROBATION_REGION]}, ["C practitioners"]),
        ({"organisation": "kent-police"}, ["A police", "B public"]),
        ({"organisation": "kent-police", "topics": ["arms-practice"]}, ["B public"]),
    ],
)
def test_filters_narrow_the_visible_practices(practices, filters, expected):
    results = practice_search(user=PractitionerFactory(), sort="title", **filters)

    assert titles(results) == expected


def test_each_facet_counts_with_the_other_filters_but_not_its_own(practices):
    facets = practice_search(
        user=PractitionerFactory(), does_it_work=[DoesItWork.WORKED], organisation="kent-police"
    ).facets

    # Its own facet ignores the rating chosen, so the other ratings still show their counts.
    assert facets["does_it_work"] == {DoesItWork.WORKED: 1, DoesItWork.DID_NOT_WORK: 1}
    assert facets["topics"] == {"mappa": 1, "arms-practice": 1}
    assert facets["organisation"] == {"kent-police": 1}


def test_sorts(practices):
    user = PractitionerFactory()

    assert titles(practice_search(user=user, sort="evidence")) == [
        "B public",
        "A police",
        "C practitioners",
    ]
    assert titles(practice_search(user=user, sort="title"))[0] == "A police"
    newest = titles(practice_search(user=user, sort="nonsense"))
    assert sorted(newest) == ["A police", "B public", "C practitioners"]


def test_without_a_search_finder_words_match_titles_and_summaries(monkeypatch):
    """The library does not import search: with no ``find_practices`` hook registered, its
    words still narrow the list (in titles and summaries), and "best match" sorts by title."""
    from practice_library import selectors

    monkeypatch.setattr(selectors, "_finder", lambda: None)
    PracticePageFactory(title="Zeta curlew plan", summary="Plain.")
    PracticePageFactory(title="Alpha plan", summary="About the curlew.")
    PracticePageFactory(title="Other plan", summary="Nothing here.")

    results = practice_search(user=PractitionerFactory(), text="curlew", sort="relevance")

    assert [p.title for p in results.practices] == ["Alpha plan", "Zeta curlew plan"]
    assert results.facets["does_it_work"] == {"promising": 2}
    assert results.fallback is False
