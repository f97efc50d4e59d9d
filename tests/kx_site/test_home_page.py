"""Issue 12: the home page shows what is next and new for this reader, and only what they may see.

Every listing is checked for each kind of reader: signed out, signed in without a verified email
address, signed in but not a verified practitioner, a Kent Police practitioner and a London
probation practitioner (the other agency). A restricted title must never reach the page of a
reader who may not see it, in any section.
"""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import OrganisationKind
from events import home as events_home
from events.models import Registration
from forums import home as forums_home
from forums.models import ForumCategory, Thread
from kx_site.audience import Audience, Marking
from tests.briefings.factories import BriefingIndexPageFactory, BriefingPageFactory
from tests.events.factories import EventIndexPageFactory, EventPageFactory
from tests.factories import (
    PASSWORD,
    OrganisationFactory,
    PractitionerFactory,
    ProbationPractitionerFactory,
    StandardPageFactory,
    UserFactory,
)
from tests.practice_library.factories import PracticeIndexPageFactory, PracticePageFactory

pytestmark = pytest.mark.django_db

POLICE_ONLY = {
    "audience": Audience.RESTRICTED,
    "restricted_to_kinds": [OrganisationKind.POLICE_FORCE],
}
PROBATION_ONLY = {
    "audience": Audience.RESTRICTED,
    "restricted_to_kinds": [OrganisationKind.PROBATION_REGION],
}
# Audience name -> the fields that give it; every section gets one item of each.
AUDIENCES = {
    "public": {"audience": Audience.PUBLIC},
    "registered": {"audience": Audience.REGISTERED},
    "practitioners": {"audience": Audience.PRACTITIONERS},
    "police": POLICE_ONLY,
    "probation": PROBATION_ONLY,
}
# Which of those each reader may see.
SEES = {
    "anonymous": {"public"},
    "unverified_email": {"public"},
    "member": {"public", "registered"},
    "police": {"public", "registered", "practitioners", "police"},
    "probation": {"public", "registered", "practitioners", "probation"},
}


@pytest.fixture
def readers():
    return {
        "anonymous": None,
        "unverified_email": UserFactory(email_verified=False),
        # Signed up with an address no registered organisation owns: not a practitioner.
        "member": UserFactory(),
        "police": PractitionerFactory(),
        "probation": ProbationPractitionerFactory(),
    }


def get_home(client, user):
    client.logout()
    if user is not None:
        client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return response


def now():
    return timezone.now()


@pytest.fixture
def content():
    """One live, upcoming event, briefing and practice per audience, titled by audience."""
    EventIndexPageFactory()
    BriefingIndexPageFactory()
    PracticeIndexPageFactory()
    for n, (name, fields) in enumerate(AUDIENCES.items()):
        EventPageFactory(title=f"Event for {name}", start=now() + timedelta(days=10 + n), **fields)
        BriefingPageFactory(title=f"Briefing for {name}", **fields)
        PracticePageFactory(title=f"Practice for {name}", **fields)


def event_at(title, start, end=None, **fields):
    """An event at ``start`` (ending seven hours later), its registration long since opened."""
    return EventPageFactory(
        title=title,
        start=start,
        end=end or start + timedelta(hours=7),
        registration_opens_at=start - timedelta(days=60),
        registration_closes_at=start - timedelta(minutes=1),
        **fields,
    )


def forum_category(slug, **fields):
    return ForumCategory.objects.create(name=slug.capitalize(), slug=slug, **fields)


@pytest.fixture
def threads():
    """A visible thread in a cross-agency, a police-only and a probation-only category, and a
    thread still waiting for a moderator's approval."""
    author = PractitionerFactory()
    categories = {
        "practitioners": forum_category("everyone", audience=Audience.PRACTITIONERS),
        "police": forum_category("police", **POLICE_ONLY),
        "probation": forum_category("probation", **PROBATION_ONLY),
    }
    for n, (name, category) in enumerate(categories.items()):
        Thread.objects.create(
            category=category,
            title=f"Thread for {name}",
            author=author,
            last_post_at=now() - timedelta(hours=n),
        )
    Thread.objects.create(
        category=categories["practitioners"],
        title="Thread awaiting approval",
        author=author,
        is_visible=False,
    )
    return categories


@pytest.mark.parametrize("reader", list(SEES))
def test_each_reader_sees_only_the_events_briefings_and_practices_they_may(
    client, readers, content, reader
):
    response = get_home(client, readers[reader])

    html = response.content.decode()
    for kind, context_name in [
        ("Event", "upcoming_events"),
        ("Briefing", "latest_briefings"),
        ("Practice", "recent_practices"),
    ]:
        listed = {item.title for item in response.context[context_name]}
        expected = {f"{kind} for {name}" for name in SEES[reader]}
        # At most three a section: the soonest events, the newest briefings and practices.
        assert listed <= expected, (reader, kind)
        assert len(listed) == min(3, len(expected)), (reader, kind)
        for name in set(AUDIENCES) - SEES[reader]:
            assert f"{kind} for {name}" not in html, (reader, kind, name)


@pytest.mark.parametrize("reader", ["anonymous", "unverified_email", "member"])
def test_readers_who_are_not_practitioners_see_no_forum_thread_titles(
    client, readers, threads, reader
):
    response = get_home(client, readers[reader])

    html = response.content.decode()
    assert response.context["active_threads"] == []
    assert "Thread for" not in html
    assert "Thread awaiting approval" not in html
    section = html[html.index('id="active-threads"') :]
    if reader == "anonymous":
        assert f'href="{reverse("account_login")}?next={reverse("forums:index")}"' in section
    else:
        assert f'href="{reverse("accounts:verification_request")}"' in section


@pytest.mark.parametrize(
    ("reader", "expected"),
    [
        ("police", ["Thread for practitioners", "Thread for police"]),
        ("probation", ["Thread for practitioners", "Thread for probation"]),
    ],
)
def test_practitioners_see_the_threads_of_their_categories_latest_post_first(
    client, readers, threads, reader, expected
):
    response = get_home(client, readers[reader])

    assert [thread.title for thread in response.context["active_threads"]] == expected
    html = response.content.decode()
    other = "probation" if reader == "police" else "police"
    assert f"Thread for {other}" not in html
    # Waiting for approval: its category does not list it yet, and neither does the home page.
    assert "Thread awaiting approval" not in html
    for thread in response.context["active_threads"]:
        assert f'href="{thread.get_absolute_url()}"' in html


def test_threads_are_ordered_by_their_latest_post_and_capped(threads):
    author = PractitionerFactory()
    category = threads["practitioners"]
    for n in range(forums_home.ACTIVE_THREADS + 2):
        Thread.objects.create(
            category=category,
            title=f"Busy thread {n}",
            author=author,
            last_post_at=now() + timedelta(minutes=n),
        )

    access, listed = forums_home.active_threads(PractitionerFactory())

    assert access == "member"
    assert [thread.title for thread in listed] == [
        f"Busy thread {n}" for n in reversed(range(2, forums_home.ACTIVE_THREADS + 2))
    ]


def test_upcoming_events_are_the_soonest_ones_that_have_not_ended(client):
    EventIndexPageFactory()
    public = {"audience": Audience.PUBLIC}
    event_at("Ended yesterday", now() - timedelta(days=2), now() - timedelta(days=1), **public)
    event_at("Running now", now() - timedelta(hours=1), now() + timedelta(hours=2), **public)
    for days in (40, 5, 20, 60):
        event_at(f"In {days} days", now() + timedelta(days=days), **public)
    event_at("Draft event", now() + timedelta(days=1), live=False, **public)

    response = get_home(client, None)

    titles = [event.title for event in response.context["upcoming_events"]]
    assert titles == ["Running now", "In 5 days", "In 20 days"]
    html = response.content.decode()
    assert 'href="/events/">All events</a>' in html
    assert "Ended yesterday" not in html
    assert "Draft event" not in html


def test_latest_briefings_and_practices_are_the_newest(client):
    BriefingIndexPageFactory()
    PracticeIndexPageFactory()
    for days_ago in (30, 1, 10, 60):
        BriefingPageFactory(
            title=f"Briefing from {days_ago} days ago",
            publication_date=timezone.localdate() - timedelta(days=days_ago),
            audience=Audience.PUBLIC,
        )
        PracticePageFactory(
            title=f"Practice added {days_ago} days ago",
            first_published_at=now() - timedelta(days=days_ago),
            audience=Audience.PUBLIC,
        )

    response = get_home(client, None)

    assert [b.title for b in response.context["latest_briefings"]] == [
        f"Briefing from {days} days ago" for days in (1, 10, 30)
    ]
    assert [p.title for p in response.context["recent_practices"]] == [
        f"Practice added {days} days ago" for days in (1, 10, 30)
    ]
    html = response.content.decode()
    assert 'href="/briefings/">All briefings</a>' in html
    assert 'href="/library/">All practice</a>' in html


def test_an_empty_site_says_so_in_each_section(client):
    response = get_home(client, PractitionerFactory())

    html = response.content.decode()
    assert "There are no upcoming events for you at the moment." in html
    assert "There are no briefings for you to read yet." in html
    assert "There is no practice in the library for you to read yet." in html
    assert "Nobody has started a discussion yet." in html
    assert 'id="your-next-event"' not in html


def register(user, event, status=Registration.Status.CONFIRMED):
    return Registration.objects.create(user=user, event=event, status=status)


def test_the_readers_next_event_links_to_the_event_and_their_ticket(client):
    practitioner = PractitionerFactory()
    later = EventPageFactory(title="Later workshop", start=now() + timedelta(days=40))
    sooner = EventPageFactory(title="Sooner workshop", start=now() + timedelta(days=8))
    register(practitioner, later)
    registration = register(practitioner, sooner)

    response = get_home(client, practitioner)

    assert response.context["next_registration"] == registration
    html = response.content.decode()
    card = html[html.index('id="your-next-event"') : html.index('id="upcoming-events"')]
    assert "Sooner workshop" in card
    assert f'href="{sooner.url}"' in card
    assert f'href="{reverse("events:ticket", args=[registration.pk])}"' in card
    assert f'href="{reverse("events:my_events")}"' in card
    assert "Later workshop" not in card


def test_a_place_not_yet_confirmed_shows_its_status_but_no_ticket(client):
    practitioner = PractitionerFactory()
    event = EventPageFactory(title="Waiting workshop")
    registration = register(practitioner, event, Registration.Status.WAITING)

    response = get_home(client, practitioner)

    html = response.content.decode()
    card = html[html.index('id="your-next-event"') : html.index('id="upcoming-events"')]
    assert "Waiting workshop" in card
    assert "On the waiting list" in card
    assert reverse("events:ticket", args=[registration.pk]) not in html


def test_cancelled_past_draft_and_no_longer_visible_registrations_are_not_the_next_event(client):
    practitioner = PractitionerFactory()
    register(practitioner, EventPageFactory(title="Cancelled one"), Registration.Status.CANCELLED)
    register(
        practitioner,
        event_at("Past one", now() - timedelta(days=3), now() - timedelta(days=2)),
    )
    register(practitioner, EventPageFactory(title="Unpublished one", live=False))
    # Narrowed to probation after they registered: they may no longer see it.
    register(practitioner, EventPageFactory(title="Narrowed one", **PROBATION_ONLY))
    # Someone else's registration.
    register(
        PractitionerFactory(),
        EventPageFactory(title="Not theirs", start=now() + timedelta(days=2)),
    )

    response = get_home(client, practitioner)

    assert response.context["next_registration"] is None
    html = response.content.decode()
    assert 'id="your-next-event"' not in html
    # (The cancelled one is still an upcoming event they may see, so it is listed there.)
    for title in ("Past one", "Unpublished one", "Narrowed one"):
        assert title not in html
    assert events_home.next_registration(practitioner) is None


def test_signed_out_readers_have_no_next_event():
    from django.contrib.auth.models import AnonymousUser

    assert events_home.next_registration(AnonymousUser()) is None


def test_sensitive_items_are_marked(client):
    EventIndexPageFactory()
    EventPageFactory(
        title="Sensitive event",
        audience=Audience.PRACTITIONERS,
        marking=Marking.OFFICIAL_SENSITIVE,
    )

    html = get_home(client, PractitionerFactory()).content.decode()

    section = html[html.index('id="upcoming-events"') : html.index('id="latest-briefings"')]
    assert "Sensitive event" in section
    assert "OFFICIAL-SENSITIVE" in section


@pytest.mark.usefixtures("production_caches")
def test_the_signed_out_page_is_kept_and_the_signed_in_one_is_private(client, settings, content):
    settings.KX_PAGE_CACHE_SECONDS = 300

    first = client.get("/")
    second = client.get("/")

    assert "private" not in first.get("Cache-Control", "")
    assert first.get("X-KX-Page-Cache") == "miss"
    assert second.get("X-KX-Page-Cache") == "hit"
    assert "Event for public" in second.content.decode()

    client.force_login(PractitionerFactory())
    signed_in = client.get("/")

    assert signed_in.get("X-KX-Page-Cache") is None
    assert "private" in signed_in["Cache-Control"]
    assert "no-store" in signed_in["Cache-Control"]
    # Their own page, not the kept one: practitioner-only content is there.
    assert "Event for practitioners" in signed_in.content.decode()


# The "Find out more" sections: the pages under the home page that are in the menus.


@pytest.fixture
def sections():
    return {
        "public": StandardPageFactory(
            title="Public section", audience=Audience.PUBLIC, show_in_menus=True
        ),
        "practitioners": StandardPageFactory(
            title="Practitioner section", audience=Audience.PRACTITIONERS, show_in_menus=True
        ),
        "probation": StandardPageFactory(
            title="Probation-only section", show_in_menus=True, **PROBATION_ONLY
        ),
        "hidden": StandardPageFactory(
            title="Not in menus", audience=Audience.PUBLIC, show_in_menus=False
        ),
        "draft": StandardPageFactory(
            title="Draft section", audience=Audience.PUBLIC, show_in_menus=True, live=False
        ),
    }


def titles(response):
    return {page.title for page in response.context["sections"]}


def test_anonymous_visitors_see_public_sections_only(client, sections):
    response = client.get("/")

    assert response.status_code == 200
    assert titles(response) == {"Public section"}
    body = response.content.decode()
    assert "Public section" in body
    assert "Practitioner section" not in body
    assert "Probation-only section" not in body


def test_a_police_practitioner_sees_practitioner_sections_but_not_probation_only(client, sections):
    client.force_login(PractitionerFactory())

    response = client.get("/")

    assert titles(response) == {"Public section", "Practitioner section"}
    assert "Probation-only section" not in response.content.decode()


def test_the_home_page_runs_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    client.force_login(PractitionerFactory())
    StandardPageFactory(title="First section", show_in_menus=True)
    with django_assert_max_num_queries(25) as one_section:
        client.get("/")

    for n in range(25):
        OrganisationFactory(domains=[f"partner{n}.example"])
        StandardPageFactory(
            title=f"Section {n}",
            show_in_menus=True,
            audience=[Audience.PUBLIC, Audience.PRACTITIONERS][n % 2],
        )
    with django_assert_max_num_queries(len(one_section.captured_queries)):
        response = client.get("/")

    assert len(response.context["sections"]) == 26


# Signing in lands here; confirming an address still lands on "Your account" (its next steps).


def test_signing_in_lands_on_the_home_page_with_the_next_event(client):
    practitioner = PractitionerFactory(email="pat@kent.police.uk")
    register(practitioner, EventPageFactory(title="Pat's workshop"))

    response = client.post(
        reverse("account_login"), {"login": "pat@kent.police.uk", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == "/"
    html = client.get(response["Location"]).content.decode()
    card = html[html.index('id="your-next-event"') : html.index('id="upcoming-events"')]
    assert "Pat&#x27;s workshop" in card


def test_a_signed_in_member_confirming_another_address_lands_on_their_account(client):
    member = UserFactory()
    client.force_login(member)
    client.post(reverse("account_email"), {"action_add": "", "email": "pat@kent.police.uk"})
    message = [m for m in mail.outbox if "pat@kent.police.uk" in m.to][-1]
    path = re.search(r"https?://testserver(/accounts/confirm-email/\S+/)", message.body).group(1)

    response = client.post(path)

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile")
    member.refresh_from_db()
    # Their new police address verifies them: the account page says so.
    assert member.is_practitioner
