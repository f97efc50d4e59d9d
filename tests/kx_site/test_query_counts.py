"""Every public page runs a fixed number of queries however much content there is.

Each test measures its pages for a signed-out visitor and for a verified practitioner, on the
production caches (the database cache, so every cache read is a counted query), then grows the
content tenfold and checks that no page, for either of them, runs more queries than before.
Each page must still show the content, so that a page that silently lists nothing cannot pass.

The content mixes every audience and marking: a signed-out visitor sees the public items, a
Kent Police practitioner sees them all (police-only ones included), and items restricted to
probation are there to be left out, as the audience rules would in production.
"""

from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import OrganisationKind
from briefings.models import BriefingRelatedEvent, BriefingRelatedPractice
from briefings.services import recommendation_status_change
from kx_site.audience import Audience, Marking
from practice_library.models import PracticeAttachment, Topic
from search.services import search_entries_rebuild
from tests.briefings.factories import BriefingPageFactory, RecommendationFactory
from tests.events.factories import EventIndexPageFactory, EventPageFactory, MaterialDocumentFactory
from tests.factories import OrganisationFactory, PractitionerFactory, StandardPageFactory
from tests.practice_library.factories import (
    AdoptionFactory,
    PracticeIndexPageFactory,
    PracticePageFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("production_caches")]

# Item n gets AUDIENCES[n % 4]. A signed-out visitor sees the first and the last; a Kent Police
# practitioner sees all four.
AUDIENCES = [
    {"audience": Audience.PUBLIC},
    {"audience": Audience.PRACTITIONERS},
    {"audience": Audience.RESTRICTED, "restricted_to_kinds": [OrganisationKind.POLICE_FORCE]},
    {"audience": Audience.PUBLIC, "marking": Marking.OFFICIAL_SENSITIVE},
]
PROBATION_ONLY = {
    "audience": Audience.RESTRICTED,
    "restricted_to_kinds": [OrganisationKind.PROBATION_REGION],
}
VISITORS = ("anonymous", "practitioner")


def visible(count, visitor):
    """How many of ``count`` mixed items ``visitor`` may see."""
    if visitor == "practitioner":
        return count
    return sum(1 for n in range(count) if n % 4 in (0, 3))


@dataclass
class Measured:
    queries: list
    response: object


def measure(client, practitioner, urls):
    """Each URL's queries and response, for each visitor."""
    results = {}
    for visitor in VISITORS:
        client.logout()
        if visitor == "practitioner":
            client.force_login(practitioner)
        for url in urls:
            with CaptureQueriesContext(connection) as context:
                response = client.get(url)
            assert response.status_code == 200, (visitor, url, response.status_code)
            results[visitor, url] = Measured(context.captured_queries, response)
    return results


def assert_fixed_queries(client, urls, grow, practitioner=None):
    """Measure ``urls`` (once to warm the caches, once to count), call ``grow``, and check that
    no URL runs more queries for either visitor. Returns the grown pages' responses by
    ``(visitor, url)`` for the caller to check what they show."""
    practitioner = practitioner or PractitionerFactory()
    measure(client, practitioner, urls)
    small = measure(client, practitioner, urls)
    grow()
    large = measure(client, practitioner, urls)
    grown = {
        key: (len(small[key].queries), len(result.queries))
        for key, result in large.items()
        if len(result.queries) > len(small[key].queries)
    }
    if grown:
        details = "\n\n".join(
            f"{key}: {before} -> {after} queries:\n"
            + "\n".join(query["sql"][:200] for query in large[key].queries)
            for key, (before, after) in grown.items()
        )
        pytest.fail(f"Queries grew with the content: {grown}\n\n{details}")
    return {key: result.response for key, result in large.items()}


def topics():
    return list(Topic.objects.order_by("pk")[:3])


def make_sections(start, count):
    for n in range(start, start + count):
        StandardPageFactory(title=f"Section {n}", show_in_menus=True, **AUDIENCES[n % 4])
    StandardPageFactory(title=f"Probation section {start}", show_in_menus=True, **PROBATION_ONLY)


def make_events(start, count):
    EventIndexPageFactory()
    for n in range(start, start + count):
        fields = dict(AUDIENCES[n % 4])
        if n % 2:
            fields.update(is_online=True, venue=None, joining_link="https://meet.example/x")
        event = EventPageFactory(title=f"Kestrel event {n}", **fields)
        event.topics.set(topics()[: n % 3 + 1])
        event.save()
    EventPageFactory(title=f"Probation event {start}", **PROBATION_ONLY)


def make_practices(start, count):
    organisations = [OrganisationFactory(), OrganisationFactory()]
    for n in range(start, start + count):
        practice = PracticePageFactory(
            title=f"Lapwing practice {n}", topics=topics()[: n % 3 + 1], **AUDIENCES[n % 4]
        )
        AdoptionFactory(practice=practice, organisation=organisations[n % 2])
    PracticePageFactory(title=f"Probation practice {start}", **PROBATION_ONLY)
    # Publishing queues an index update for after the commit, which a test never reaches.
    search_entries_rebuild()


def make_briefings(start, count):
    for n in range(start, start + count):
        briefing = BriefingPageFactory(title=f"Curlew briefing {n}", **AUDIENCES[n % 4])
        briefing.topics.set(topics()[: n % 3 + 1])
        briefing.save()
        for number in (1, 2):
            recommendation = RecommendationFactory(briefing=briefing, number=number)
            recommendation_status_change(recommendation=recommendation, status="accepted")
    BriefingPageFactory(title=f"Probation briefing {start}", **PROBATION_ONLY)


def test_the_home_page(client):
    make_sections(0, 4)

    responses = assert_fixed_queries(client, ["/"], lambda: make_sections(4, 36))

    for visitor in VISITORS:
        content = responses[visitor, "/"].content.decode()
        assert content.count("Section ") == visible(40, visitor)
        assert "Probation section" not in content


def test_the_events_listing(client):
    make_events(0, 4)
    urls = ["/events/", "/events/?topic=mappa&page=2", "/events/?kind=workshop&region=national"]

    responses = assert_fixed_queries(client, urls, lambda: make_events(4, 36))

    for visitor in VISITORS:
        events_page = responses[visitor, "/events/"].context["events_page"]
        assert events_page.paginator.count == visible(40, visitor)
        assert responses[visitor, "/events/"].content.decode().count("Kestrel event") == 20


def test_the_practice_library(client):
    PracticeIndexPageFactory()
    make_practices(0, 4)
    urls = ["/library/", "/library/?q=lapwing", "/library/?topics=mappa&sort=evidence&page=2"]

    responses = assert_fixed_queries(client, urls, lambda: make_practices(4, 36))

    for visitor in VISITORS:
        for url in urls[:2]:
            practices_page = responses[visitor, url].context["practices_page"]
            assert practices_page.paginator.count == visible(40, visitor), url
            assert responses[visitor, url].content.decode().count("Lapwing practice") >= 20


def test_the_briefings_listing_and_feed(client):
    make_briefings(0, 4)
    urls = ["/briefings/", "/briefings/?page=2", "/briefings/feed/"]

    responses = assert_fixed_queries(client, urls, lambda: make_briefings(4, 36))

    for visitor in VISITORS:
        assert responses[visitor, "/briefings/"].context[
            "briefings_page"
        ].paginator.count == visible(40, visitor)
        # The feed lists public briefings only, whoever asks, each with its own link.
        feed = responses[visitor, "/briefings/feed/"].content.decode()
        assert feed.count("<entry>") == visible(40, "anonymous")
        assert feed.count('href="http://testserver/briefings/curlew-briefing-') == visible(
            40, "anonymous"
        )


def test_the_recommendations_tracker(client):
    make_briefings(0, 4)
    urls = [
        "/briefings/recommendations/",
        "/briefings/recommendations/?status=accepted&owner=police&page=2",
    ]

    responses = assert_fixed_queries(client, urls, lambda: make_briefings(4, 36))

    for visitor in VISITORS:
        response = responses[visitor, urls[0]]
        assert response.context["counts"]["total"] == 2 * visible(40, visitor)
        # Fifty a page, each linking to its recommendation on its briefing.
        assert response.content.decode().count("#recommendation-") == min(
            50, 2 * visible(40, visitor)
        )


def test_the_search_page(client):
    PracticeIndexPageFactory()
    make_practices(0, 4)
    # Filtered, not paged: with four practices a second page is empty, and an empty page skips
    # fetching its rows (one query fewer than any page with results).
    urls = ["/search/?q=lapwing", "/search/?q=lapwing&does_it_work=promising&topic=mappa"]

    responses = assert_fixed_queries(client, urls, lambda: make_practices(4, 36))

    for visitor in VISITORS:
        response = responses[visitor, urls[0]]
        assert response.context["results"].total == visible(40, visitor)
        assert response.content.decode().count("Lapwing practice") >= 20


def test_the_sitemap(client):
    make_sections(0, 4)
    make_briefings(0, 4)

    def grow():
        make_sections(4, 36)
        make_briefings(4, 36)

    responses = assert_fixed_queries(client, ["/sitemap.xml"], grow)

    for visitor in VISITORS:
        content = responses[visitor, "/sitemap.xml"].content.decode()
        # Only public pages, whoever asks.
        assert content.count("/section-") == visible(40, "anonymous")
        assert content.count("/briefings/curlew-briefing-") == visible(40, "anonymous")


def practice_with(practice, count, start=0):
    """Give ``practice`` ``count`` more adoptions and attachments, and ``count`` more practices
    in the library (some it may call related)."""
    for n in range(start, start + count):
        AdoptionFactory(practice=practice, organisation=OrganisationFactory())
        PracticeAttachment.objects.create(
            page=practice, document=MaterialDocumentFactory(), title=f"Attachment {n}"
        )
        PracticePageFactory(title=f"Lapwing practice {n}", **AUDIENCES[n % 4])
    search_entries_rebuild()


def test_a_practice_page(client, media_root):
    practice = PracticePageFactory(
        title="Lapwing home visits", audience=Audience.PUBLIC, topics=topics()
    )
    practice_with(practice, 2)

    responses = assert_fixed_queries(
        client, [practice.url], lambda: practice_with(practice, 18, start=2)
    )

    for visitor in VISITORS:
        content = responses[visitor, practice.url].content.decode()
        assert content.count("We use it in our MAPPA level 2 cases.") == 20
        assert content.count("Attachment ") == 20


def briefing_with(briefing, count, start=0):
    """Give ``briefing`` ``count`` more recommendations (each with a history), related events
    and practices, and successors, of every audience."""
    for n in range(start, start + count):
        recommendation = RecommendationFactory(briefing=briefing, number=n + 1)
        recommendation_status_change(recommendation=recommendation, status="accepted")
        audience = AUDIENCES[n % 4] if n % 5 else PROBATION_ONLY
        event = EventPageFactory(title=f"Related event {n}", **audience)
        BriefingRelatedEvent.objects.create(briefing=briefing, page=event)
        practice = PracticePageFactory(title=f"Related practice {n}", **audience)
        BriefingRelatedPractice.objects.create(briefing=briefing, page=practice)
        successor = BriefingPageFactory(title=f"Successor {n}", **audience)
        successor.supersedes.add(briefing)
        successor.save()


def test_a_briefing_page(client):
    briefing = BriefingPageFactory(title="Curlew final report", audience=Audience.PUBLIC)
    briefing.topics.set(topics())
    briefing.save()
    briefing_with(briefing, 3)

    responses = assert_fixed_queries(
        client, [briefing.url], lambda: briefing_with(briefing, 27, start=3)
    )

    for visitor in VISITORS:
        content = responses[visitor, briefing.url].content.decode()
        assert content.count("History of recommendation") == 30
        # Probation-only pages (every fifth) are never linked for these two.
        shown = sum(
            1 for n in range(30) if n % 5 and visible(n + 1, visitor) > visible(n, visitor)
        )
        assert content.count("Related event ") == shown
        assert content.count("Related practice ") == shown
        assert content.count(">Successor ") == shown


def make_home_content(practitioner, start, count):
    """``count`` more events, briefings, practices and forum threads of every audience, and
    ``practitioner``'s registrations for some of the events (the home page shows the next)."""
    from datetime import timedelta

    from django.utils import timezone

    from events.models import EventPage, Registration
    from forums.models import ForumCategory, Thread

    make_events(start, count)
    make_briefings(start, count)
    make_practices(start, count)
    categories = []
    for n, fields in enumerate([*AUDIENCES[1:3], PROBATION_ONLY]):
        category, _ = ForumCategory.objects.get_or_create(
            slug=f"home-{n}", defaults={"name": f"Home category {n}", **fields}
        )
        categories.append(category)
    author = PractitionerFactory()
    for n in range(start, start + count):
        Thread.objects.create(
            category=categories[n % 3],
            title=f"Dunlin thread {n}",
            author=author,
            last_post_at=timezone.now() - timedelta(minutes=n),
        )
    for event in EventPage.objects.filter(title__startswith="Kestrel event").order_by("pk")[
        start : start + count : 4
    ]:
        Registration.objects.create(
            event=event, user=practitioner, status=Registration.Status.CONFIRMED
        )


def test_the_home_page_sections(client):
    """The home page's listings (upcoming events, briefings, practices, forum threads and the
    reader's own next event) each take a fixed number of queries, signed out and signed in."""
    PracticeIndexPageFactory()
    practitioner = PractitionerFactory()
    make_home_content(practitioner, 0, 4)

    responses = assert_fixed_queries(
        client, ["/"], lambda: make_home_content(practitioner, 4, 36), practitioner
    )

    for visitor in VISITORS:
        response = responses[visitor, "/"]
        content = response.content.decode()
        # Three of each; never a probation-only one for either visitor.
        events = response.context["upcoming_events"]
        assert [event.title[:13] for event in events] == ["Kestrel event"] * 3
        assert content.count("Curlew briefing") == 3
        assert content.count("Lapwing practice") == 3
        assert "Probation " not in content
        if visitor == "practitioner":
            assert response.context["next_registration"].user == practitioner
            assert content.count("Dunlin thread") == 5
        else:
            assert response.context["next_registration"] is None
            assert "Dunlin thread" not in content
