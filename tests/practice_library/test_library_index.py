"""The library index: GOV.UK filters with counts, sort, 20 a page, a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Organisation, OrganisationKind
from kx_site.audience import Audience, Marking
from practice_library.models import DoesItWork, EvidenceStage, Topic
from tests.factories import PractitionerFactory, ProbationPractitionerFactory

from .factories import AdoptionFactory, PracticePageFactory

pytestmark = pytest.mark.django_db


def test_the_index_lists_practices_with_their_rating_and_evidence(client, library):
    PracticePageFactory(
        title="Joint MAPPA meetings",
        does_it_work=DoesItWork.WORKED,
        evidence_stage=EvidenceStage.INDEPENDENTLY_EVALUATED,
        topics=[Topic.objects.get(slug="mappa")],
    )
    client.force_login(PractitionerFactory())

    response = client.get(library.url)

    body = response.content.decode()
    assert response.status_code == 200
    assert "Joint MAPPA meetings" in body
    assert "Independently evaluated" in body
    assert ">Worked</strong>" in body.replace(
        '<span class="govuk-visually-hidden">Does it work? </span>', ""
    )
    assert "1 practice." in body
    assert "MAPPA (1)" in body
    assert 'href="/library/submit/"' in body
    assert "no-store" in response["Cache-Control"]


def test_filters_come_back_checked_and_counts_follow_them(client, library):
    PracticePageFactory(title="Worked one", does_it_work=DoesItWork.WORKED)
    PracticePageFactory(title="Promising one", does_it_work=DoesItWork.PROMISING)
    client.force_login(PractitionerFactory())

    response = client.get(library.url, {"does_it_work": "worked", "sort": "title"})

    body = response.content.decode()
    assert "Worked one" in body
    assert "Promising one" not in body
    assert 'value="worked" checked' in body
    assert "Promising (1)" in body
    assert "1 practice." in body
    assert "Clear search and filters" in body


def test_nonsense_filters_are_ignored_not_an_error(client, library):
    PracticePageFactory(title="Still listed")
    client.force_login(PractitionerFactory())

    response = client.get(
        library.url, {"does_it_work": "<script>", "organisation": "nowhere", "page": "x"}
    )

    assert response.status_code == 200
    assert "Still listed" in response.content.decode()


def test_restricted_practices_stay_out_of_the_list_and_the_counts(client, library):
    PracticePageFactory(
        title="Police only practice",
        audience=Audience.RESTRICTED,
        restricted_to_kinds=[OrganisationKind.POLICE_FORCE],
        does_it_work=DoesItWork.DID_NOT_WORK,
        topics=[Topic.objects.get(slug="travelling-abroad")],
    )
    PracticePageFactory(title="Shared practice")
    client.force_login(ProbationPractitionerFactory())

    body = client.get(library.url).content.decode()

    assert "Police only practice" not in body
    assert "Travelling abroad (0)" in body
    assert "Did not work (0)" in body
    assert "1 practice." in body


def test_anonymous_visitors_see_public_practices_only(client, library):
    PracticePageFactory(title="Public practice", audience=Audience.PUBLIC)
    PracticePageFactory(title="Practitioners practice")

    response = client.get(library.url)

    body = response.content.decode()
    assert "Public practice" in body
    assert "Practitioners practice" not in body
    assert "Kent Police (1)" in body


def test_twenty_a_page(client, library):
    for n in range(25):
        PracticePageFactory(title=f"Practice {n:02}", audience=Audience.PUBLIC)

    first = client.get(library.url, {"sort": "title"}).content.decode()
    second = client.get(library.url, {"sort": "title", "page": 2}).content.decode()

    assert "25 practices, showing 1 to 20." in first
    assert "Practice 19" in first and "Practice 20" not in first
    assert "Practice 20" in second and "Practice 24" in second
    assert 'href="?sort=title&amp;page=2"' in first


def make_practices(count, topics):
    for n in range(count):
        fields = {"topics": topics[: 1 + n % 3]}
        if n % 4 == 1:
            fields |= {
                "audience": Audience.RESTRICTED,
                "restricted_to_kinds": [OrganisationKind.POLICE_FORCE],
            }
        if n % 4 == 2:
            fields |= {"marking": Marking.OFFICIAL_SENSITIVE, "does_it_work": DoesItWork.WORKED}
        PracticePageFactory(**fields)


def queries_for(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize(
    "query_string", ["", "?topics=mappa&does_it_work=worked&sort=evidence&page=2"]
)
def test_the_index_runs_the_same_queries_for_100_practices_as_for_10(
    client, library, django_assert_max_num_queries, query_string
):
    client.force_login(PractitionerFactory())
    topics = list(Topic.objects.filter(slug__in=["mappa", "home-visits", "training"]))
    make_practices(10, topics)
    queries_for(client, library.url)  # Warm the caches (sites, session) the first request fills.
    small_count = queries_for(client, library.url + query_string)
    make_practices(90, topics)

    with django_assert_max_num_queries(small_count):
        response = client.get(library.url + query_string)

    assert response.status_code == 200
    assert response.context["practices_page"].paginator.count >= 1


def test_a_practice_page_runs_the_same_queries_for_20_adoptions_as_for_2(
    client, django_assert_max_num_queries
):
    practitioner = ProbationPractitionerFactory()
    client.force_login(practitioner)
    organisations = list(Organisation.objects.exclude(pk=practitioner.organisation_id)[:20])
    topics = list(Topic.objects.all()[:5])
    small = PracticePageFactory(topics=topics)
    large = PracticePageFactory(topics=topics)
    for organisation in organisations[:2]:
        AdoptionFactory(practice=small, organisation=organisation)
    for organisation in organisations:
        AdoptionFactory(practice=large, organisation=organisation)
    queries_for(client, small.url)
    small_count = queries_for(client, small.url)

    with django_assert_max_num_queries(small_count):
        response = client.get(large.url)

    assert response.content.decode().count("We use it in our MAPPA level 2 cases.") == 20
