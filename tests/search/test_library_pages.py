"""The library's finder answers a page at a time: for every sort the library offers, the engine
and the database return the same page, total and facet counts as the library's own SQL listing,
for every reader (only what each may see)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from practice_library import selectors as library_selectors
from practice_library.models import DoesItWork, EvidenceStage, PracticePage
from practice_library.search_documents import find_practices
from practice_library.selectors import SORTS, practice_search
from tests.practice_library.factories import PracticeIndexPageFactory, PracticePageFactory

from .content import WORD, audience_practices, users

pytestmark = pytest.mark.django_db

PER_PAGE = 3
FILTERS = {
    "topics": (),
    "does_it_work": (),
    "evidence_stages": (),
    "organisation_kinds": (),
    "organisation": None,
}


@pytest.fixture
def library_content(db):
    """The five audience practices and seven more: mixed evidence and ratings, a repeated
    title, a title in lower case, publication times out of creation order and two alike."""
    audience_practices()
    specs = [
        ("Avocet", EvidenceStage.INDEPENDENTLY_EVALUATED, DoesItWork.PROMISING),
        ("Avocet", EvidenceStage.INDEPENDENTLY_EVALUATED, DoesItWork.PROMISING),
        ("bittern", EvidenceStage.UNTESTED, DoesItWork.WORKED),
        ("Curlew", EvidenceStage.EVALUATED_LOCALLY, DoesItWork.DID_NOT_WORK),
        ("Dunlin", EvidenceStage.INDEPENDENTLY_EVALUATED, DoesItWork.WORKED),
        ("Eider", EvidenceStage.EVALUATED_LOCALLY, DoesItWork.WORKED),
        ("Avocet", EvidenceStage.UNTESTED, DoesItWork.UNTESTED),
    ]
    for n, (name, stage, rating) in enumerate(specs):
        PracticePageFactory(
            title=f"{name} {WORD} plan",
            slug=f"plan-{n}",
            summary=f"A {WORD} plan.",
            evidence_stage=stage,
            does_it_work=rating,
        )
    start = timezone.now() - timedelta(days=30)
    for n, pk in enumerate(PracticePage.objects.order_by("pk").values_list("pk", flat=True)):
        PracticePage.objects.filter(pk=pk).update(
            first_published_at=start + timedelta(days=(n * 7) % 5)
        )


def own_listing(monkeypatch, user, sort, **filters):
    """The library's own SQL answer (no finder): the practices in order, and the facets."""
    monkeypatch.setattr(library_selectors, "_finder", lambda: None)
    results = practice_search(user=user, text=WORD, sort=sort, **filters)
    monkeypatch.undo()
    return [practice.pk for practice in results.practices], results.facets


def pages(text, user, sort, filters):
    answers = []
    page = 1
    while True:
        found = find_practices(
            user=user, text=text, sort=sort, page=page, per_page=PER_PAGE, **filters
        )
        answers.append(found)
        if page * PER_PAGE >= found.total:
            return answers
        page += 1


@pytest.mark.parametrize("sort", list(SORTS))
@pytest.mark.parametrize(
    "chosen", [{}, {"does_it_work": ("worked", "promising")}], ids=["all", "filtered"]
)
def test_each_sort_pages_as_the_library_lists(backend, library_content, monkeypatch, sort, chosen):
    backend.index()
    filters = {**FILTERS, **chosen}
    for who, user in users().items():
        expected, facets = own_listing(monkeypatch, user, sort, **filters)

        answers = pages(WORD, user, sort, filters)

        assert expected, who  # every reader sees some practices
        assert all(found.total == len(expected) for found in answers), who
        assert all(found.facets == facets for found in answers), who
        assert all(found.fallback is False for found in answers), who
        listed = [pk for found in answers for pk in found.ids]
        if sort == "relevance":
            # Ranked by the backend's own scores: every match once, none twice.
            assert sorted(listed) == sorted(expected), who
        else:
            assert listed == expected, (who, sort)


@pytest.mark.parametrize("sort", [sort for sort in SORTS if sort != "relevance"])
def test_without_words_the_engine_pages_as_the_library_lists(
    engine_backend, library_content, monkeypatch, sort
):
    engine_backend.index()
    for who, user in users().items():
        monkeypatch.setattr(library_selectors, "_finder", lambda: None)
        results = practice_search(user=user, sort=sort)
        monkeypatch.undo()
        expected = [practice.pk for practice in results.practices]

        answers = pages("", user, sort, FILTERS)

        assert [pk for found in answers for pk in found.ids] == expected, (who, sort)
        assert all(found.total == len(expected) for found in answers), who
        assert all(found.facets == results.facets for found in answers), who


def test_a_page_past_the_end_shows_the_last_page(backend, library_content, client, monkeypatch):
    from practice_library.models import PracticeIndexPage

    monkeypatch.setattr(PracticeIndexPage, "per_page", 5)
    backend.index()
    library = PracticeIndexPageFactory()
    client.force_login(users()["kent_officer"])

    response = client.get(library.url, {"q": WORD, "sort": "title", "page": 99})

    page = response.context["practices_page"]
    assert page.number == page.paginator.num_pages > 1
    titles = [practice.title for practice in page.object_list]
    assert titles and titles == sorted(titles)
