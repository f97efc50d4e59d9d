"""Calendar files for readers: "Add to calendar" on an event page, the public feed at
/events/calendar.ics, and a member's personal feed at a secret, revocable address."""

from datetime import timedelta

import icalendar
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from events.calendar import SENSITIVE_LOCATION, event_uid
from events.calendar_feeds import feed_token
from events.models import CalendarFeed, Registration
from events.services import registration_cancel, registration_create
from kx_site import page_cache
from kx_site.audience import Audience, Marking
from tests.factories import PractitionerFactory, ProbationPractitionerFactory, UserFactory

from .factories import EventPageFactory

pytestmark = pytest.mark.django_db

Status = Registration.Status
PUBLIC_FEED = "/events/calendar.ics"
RESET = "/my-events/calendar/reset/"


def entries(response):
    assert response["Content-Type"].startswith("text/calendar")
    return icalendar.Calendar.from_ical(response.content).walk("VEVENT")


def event_file_url(event):
    return f"/events/calendar/{event.pk}.ics"


@pytest.fixture
def police_event():
    return EventPageFactory(
        title="Police-only MOSOVO day", audience="restricted", restricted_to_kinds=["police_force"]
    )


# --- Add to calendar ----------------------------------------------------------------------------


def test_a_public_event_page_offers_its_calendar_file_to_anyone(client):
    event = EventPageFactory(title="Open MAPPA briefing", audience=Audience.PUBLIC)

    page = client.get(event.url)
    assert f'href="{event_file_url(event)}"' in page.content.decode()

    response = client.get(event_file_url(event))
    assert response.status_code == 200
    [entry] = entries(response)
    assert str(entry["summary"]) == "Open MAPPA briefing"
    assert str(entry["uid"]) == event_uid(event)
    assert str(entry["url"]) == "http://testserver" + event.url
    # iCalendar times are to the second.
    assert entry.decoded("dtstart") == event.start.replace(microsecond=0)
    assert "public" in response["Cache-Control"]
    assert response["Content-Disposition"] == f'attachment; filename="{event.slug}.ics"'


def test_a_restricted_events_file_is_refused_exactly_as_its_page(client, police_event):
    url = event_file_url(police_event)

    # Anonymous: sent to sign in, and back to the file afterwards.
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"

    refused = [
        ("unverified", UserFactory(email_verified=False), "verify_email"),
        ("registered, not a practitioner", UserFactory(), "verify_practitioner"),
        ("another agency", ProbationPractitionerFactory(), "restricted"),
    ]
    for who, user, _refusal in refused:
        client.force_login(user)
        page, file = client.get(police_event.url), client.get(url)
        assert (file.status_code, page.status_code) == (403, 403), who
        assert file.templates[0].name == page.templates[0].name == "403.html", who
        assert file.context["refusal"] == page.context["refusal"] == _refusal, who
        assert b"BEGIN:VCALENDAR" not in file.content, who

    client.force_login(PractitionerFactory())
    response = client.get(url)
    assert response.status_code == 200
    [entry] = entries(response)
    assert str(entry["summary"]) == "Police-only MOSOVO day"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert f'href="{url}"' in client.get(police_event.url).content.decode()


def test_a_sensitive_events_file_keeps_the_venue_on_kx(client):
    event = EventPageFactory(marking=Marking.OFFICIAL_SENSITIVE)
    client.force_login(PractitionerFactory())

    [entry] = entries(client.get(event_file_url(event)))

    assert str(entry["location"]) == SENSITIVE_LOCATION
    assert event.venue.name not in str(entry.to_ical().decode())
    assert event.summary not in str(entry["description"])


def test_an_unpublished_events_file_is_not_found(client):
    event = EventPageFactory(audience=Audience.PUBLIC, live=False)
    assert client.get(event_file_url(event)).status_code == 404


# --- The public feed ----------------------------------------------------------------------------


def test_the_public_feed_lists_upcoming_public_events_only(client, police_event):
    public = EventPageFactory(title="Public launch", audience=Audience.PUBLIC)
    EventPageFactory(title="Members' workshop", audience=Audience.PRACTITIONERS)
    EventPageFactory(title="Registered only", audience=Audience.REGISTERED)
    EventPageFactory(
        title="Finished public event",
        audience=Audience.PUBLIC,
        start=timezone.now() - timedelta(days=3),
        registration_opens_at=timezone.now() - timedelta(days=10),
    )
    EventPageFactory(title="Draft public event", audience=Audience.PUBLIC, live=False)

    for user in (None, PractitionerFactory()):
        # A signed-in practitioner who may see them all still gets the public feed only.
        if user:
            client.force_login(user)
        response = client.get(PUBLIC_FEED)
        assert response.status_code == 200
        assert [str(entry["summary"]) for entry in entries(response)] == ["Public launch"]
        assert [str(entry["uid"]) for entry in entries(response)] == [event_uid(public)]
    assert "public" in response["Cache-Control"] and "max-age" in response["Cache-Control"]


def test_the_events_index_offers_the_public_feed_as_a_subscription(client):
    EventPageFactory(audience=Audience.PUBLIC)
    index = EventPageFactory(audience=Audience.PUBLIC).get_parent()

    content = client.get(index.url).content.decode()

    assert f'href="webcal://testserver{PUBLIC_FEED}"' in content
    assert f"http://testserver{PUBLIC_FEED}" in content


def test_the_public_feed_is_kept_by_the_page_cache(client, settings, production_caches):
    settings.KX_PAGE_CACHE_SECONDS = 300
    EventPageFactory(audience=Audience.PUBLIC)

    assert client.get(PUBLIC_FEED)["X-KX-Page-Cache"] == "miss"
    assert client.get(PUBLIC_FEED)["X-KX-Page-Cache"] == "hit"


# --- The personal feed --------------------------------------------------------------------------


def feed_url(user):
    return f"/my-events/calendar/{feed_token(user.calendar_feed)}.ics"


def test_my_events_offers_a_feed_link_only_after_asking_for_one(client):
    officer = PractitionerFactory()
    client.force_login(officer)

    page = client.get("/my-events/").content.decode()
    assert "Get a calendar link" in page
    assert "/my-events/calendar/" not in page.replace(RESET, "")
    assert not CalendarFeed.objects.exists(), "looking at My events makes no secret"

    response = client.post(RESET)
    assert response.status_code == 302
    assert response["Location"] == "/my-events/#calendar-feed"
    officer.refresh_from_db()
    page = client.get("/my-events/").content.decode()
    assert f"http://testserver{feed_url(officer)}" in page
    assert f'href="webcal://testserver{feed_url(officer)}"' in page
    assert "Reset this link" in page


def test_the_personal_feed_lists_current_registrations_and_nothing_else(client, police_event):
    officer = PractitionerFactory()
    confirmed = registration_create(event=police_event, user=officer)
    full = EventPageFactory(title="Full workshop", capacity=1)
    registration_create(event=full, user=PractitionerFactory())
    waiting = registration_create(event=full, user=officer)
    assert waiting.status == Status.WAITING
    dropped = EventPageFactory(title="Dropped workshop")
    registration_cancel(
        registration=registration_create(event=dropped, user=officer), actor=officer
    )
    EventPageFactory(title="Someone else's workshop")
    registration_create(event=Registration.objects.last().event, user=PractitionerFactory())
    client.force_login(officer)
    client.post(RESET)
    client.logout()  # a calendar program brings no session

    response = client.get(feed_url(officer))

    assert response.status_code == 200
    got = {str(entry["uid"]): entry for entry in entries(response)}
    assert set(got) == {confirmed.calendar_uid, waiting.calendar_uid}
    assert str(got[confirmed.calendar_uid]["status"]) == "CONFIRMED"
    assert str(got[waiting.calendar_uid]["status"]) == "TENTATIVE"
    assert got[confirmed.calendar_uid]["sequence"] == confirmed.calendar_sequence
    assert str(got[confirmed.calendar_uid]["url"]) == "http://testserver" + police_event.url
    assert response["Cache-Control"] == "private, no-store"


def test_the_personal_feed_drops_events_the_member_may_no_longer_see(client, police_event):
    officer = PractitionerFactory()
    registration_create(event=police_event, user=officer)
    client.force_login(officer)
    client.post(RESET)
    officer.refresh_from_db()
    url = feed_url(officer)
    assert len(entries(client.get(url))) == 1

    police_event.restricted_to_kinds = ["probation_region"]
    police_event.save()

    assert entries(client.get(url)) == []


def test_resetting_revokes_the_old_address(client):
    officer = PractitionerFactory()
    client.force_login(officer)
    client.post(RESET)
    officer.refresh_from_db()
    old = feed_url(officer)
    assert client.get(old).status_code == 200

    client.post(RESET)
    officer.refresh_from_db()
    new = feed_url(officer)

    assert new != old
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200


def test_forged_and_foreign_addresses_open_nothing(client):
    officer, other = PractitionerFactory(), PractitionerFactory()
    for user in (officer, other):
        client.force_login(user)
        client.post(RESET)
        user.refresh_from_db()
    client.logout()
    token = feed_token(officer.calendar_feed)
    _user_id, _, digest = token.partition("-")

    for forged in [f"{other.pk}-{digest}", f"{officer.pk}-{'0' * 40}", "nobody", f"-{digest}"]:
        assert client.get(f"/my-events/calendar/{forged}.ics").status_code == 404, forged

    officer.is_active = False
    officer.save()
    assert client.get(feed_url(officer)).status_code == 404


def test_the_reset_is_a_post_with_a_csrf_token_for_signed_in_members(client):
    from django.test import Client

    assert client.post(RESET)["Location"].startswith("/accounts/login/")
    officer = PractitionerFactory()
    client.force_login(officer)
    assert client.get(RESET).status_code == 405

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(officer)
    assert strict.post(RESET).status_code == 403
    assert not CalendarFeed.objects.exists()


def test_the_personal_feed_is_never_kept_by_the_page_cache(client, settings, production_caches):
    settings.KX_PAGE_CACHE_SECONDS = 300
    officer = PractitionerFactory()
    registration_create(event=EventPageFactory(), user=officer)
    client.force_login(officer)
    client.post(RESET)
    officer.refresh_from_db()
    client.logout()
    url = feed_url(officer)

    first, second = client.get(url), client.get(url)

    assert "X-KX-Page-Cache" not in first and "X-KX-Page-Cache" not in second
    # A key replaced with no signal sent retires no kept page: the old address stops answering
    # all the same, because its answer was never kept.
    generation = page_cache.generation()
    type(officer.calendar_feed).objects.filter(pk=officer.calendar_feed.pk).update(
        key="replaced-without-signals"
    )
    assert page_cache.generation() == generation
    assert client.get(url).status_code == 404


# --- Bounded queries ----------------------------------------------------------------------------


def count_queries(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries), response


@pytest.mark.usefixtures("production_caches")
def test_the_feeds_run_the_same_queries_for_tenfold_data(client):
    officer = PractitionerFactory()
    public = []

    def grow(count):
        for n in range(count):
            event = EventPageFactory(
                audience=[Audience.PUBLIC, Audience.PRACTITIONERS][n % 2],
                marking=[Marking.OFFICIAL, Marking.OFFICIAL_SENSITIVE][n // 2 % 2],
            )
            registration_create(event=event, user=officer)
            if event.is_public:
                public.append(event)

    grow(3)
    client.force_login(officer)
    client.post(RESET)
    client.logout()
    officer.refresh_from_db()
    urls = [PUBLIC_FEED, feed_url(officer)]
    for url in urls:
        count_queries(client, url)  # warm the caches
    before = {url: count_queries(client, url) for url in urls}

    grow(27)
    after = {url: count_queries(client, url) for url in urls}

    for url in urls:
        assert after[url][0] <= before[url][0], url
    assert len(entries(after[PUBLIC_FEED][1])) == len(public) > 10
    assert len(entries(after[feed_url(officer)][1])) == 30
    client.force_login(officer)
    my_events = [count_queries(client, reverse("events:my_events"))[0] for _ in range(2)]
    assert my_events[0] == my_events[1]
