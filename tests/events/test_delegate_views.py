"""The delegate's pages answer each kind of user as they should, and bad input changes nothing.

Users: anonymous, registered but not a practitioner, a practitioner of another agency (for a
police-only event), and an allowed practitioner.
"""

import pytest
from django.utils import timezone

from events import services
from events.models import Registration
from tests.factories import PractitionerFactory, ProbationPractitionerFactory, UserFactory

from .factories import EventPageFactory, EventSessionFactory

pytestmark = pytest.mark.django_db

Status = Registration.Status


@pytest.fixture
def police_event():
    return EventPageFactory(audience="restricted", restricted_to_kinds=["police_force"])


def register_url(event):
    return f"/my-events/register/{event.pk}/"


def test_anonymous_visitors_are_sent_to_sign_in(client, police_event):
    for url in [register_url(police_event), "/my-events/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_a_registered_non_practitioner_cannot_see_a_practitioner_event(client, event):
    client.force_login(UserFactory())
    assert client.get(register_url(event)).status_code == 404
    assert client.post(register_url(event), {}).status_code == 404
    assert client.get(event.url).status_code == 403
    assert not Registration.objects.exists()


def test_another_agency_gets_404_for_a_police_only_event(client, police_event):
    client.force_login(ProbationPractitionerFactory())
    assert client.get(register_url(police_event)).status_code == 404
    assert client.post(register_url(police_event), {}).status_code == 404
    assert not Registration.objects.exists()


def test_an_allowed_practitioner_registers_through_the_form(client, police_event):
    # Two parallel sessions, so there is a choice to make (a session alone in its slot is a
    # plenary, part of everyone's day, and asks nothing: tests/events/test_session_choice.py).
    session = EventSessionFactory(event=police_event)
    EventSessionFactory(event=police_event)
    officer = PractitionerFactory()
    client.force_login(officer)

    form_page = client.get(register_url(police_event))
    assert form_page.status_code == 200
    assert officer.organisation.name in form_page.content.decode()

    slot_field = next(
        name for name in form_page.context["form"].fields if name.startswith("slot_")
    )
    response = client.post(
        register_url(police_event),
        {slot_field: session.pk, "dietary_needs": "Vegetarian", "on_delegate_list": "on"},
        follow=True,
    )
    registration = Registration.objects.get(user=officer)
    assert registration.status == Status.CONFIRMED
    assert list(registration.sessions.all()) == [session]
    assert registration.dietary_needs == "Vegetarian"
    assert "Your place is confirmed" in response.content.decode()


def test_registering_twice_shows_a_clear_error_and_creates_nothing_more(client, event):
    officer = PractitionerFactory()
    services.registration_create(event=event, user=officer)
    client.force_login(officer)

    response = client.post(register_url(event), {})

    assert "already registered" in response.content.decode()
    assert Registration.objects.filter(user=officer).count() == 1


def test_closed_registration_is_explained_not_offered(client):
    closed = EventPageFactory(registration_closes_at=timezone.now() - timezone.timedelta(hours=1))
    client.force_login(PractitionerFactory())

    response = client.post(register_url(closed), {})

    assert "closed" in response.content.decode().lower()
    assert not Registration.objects.exists()


def test_other_peoples_registrations_answer_404(client, event):
    owner = PractitionerFactory()
    registration = services.registration_create(event=event, user=owner)
    client.force_login(PractitionerFactory())

    for suffix in ["ticket/", "calendar.ics", "cancel/", "sessions/"]:
        assert client.get(f"/my-events/{registration.pk}/{suffix}").status_code == 404
    assert client.post(f"/my-events/{registration.pk}/cancel/").status_code == 404
    registration.refresh_from_db()
    assert registration.status == Status.CONFIRMED


def test_the_owner_gets_ticket_calendar_and_can_cancel(client, event):
    owner = PractitionerFactory()
    registration = services.registration_create(event=event, user=owner)
    client.force_login(owner)

    ticket = client.get(f"/my-events/{registration.pk}/ticket/")
    assert ticket.status_code == 200
    assert registration.short_code in ticket.content.decode()
    assert "<svg" in ticket.content.decode()

    calendar = client.get(f"/my-events/{registration.pk}/calendar.ics")
    assert calendar["Content-Type"].startswith("text/calendar")
    assert registration.calendar_uid in calendar.content.decode()

    assert client.get(f"/my-events/{registration.pk}/cancel/").status_code == 200
    response = client.post(f"/my-events/{registration.pk}/cancel/")
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.status == Status.CANCELLED


def test_my_events_lists_only_the_users_own_registrations_in_bounded_queries(
    client, django_assert_max_num_queries
):
    owner = PractitionerFactory()
    for _ in range(5):
        services.registration_create(event=EventPageFactory(), user=owner)
    services.registration_create(
        event=EventPageFactory(title="Someone else's"), user=PractitionerFactory()
    )
    client.force_login(owner)

    with django_assert_max_num_queries(20):
        response = client.get("/my-events/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "Someone else" not in body
    assert body.count("/ticket/") >= 5


def test_the_online_joining_link_is_shown_only_to_confirmed_delegates(client):
    online = EventPageFactory(
        is_online=True, venue=None, joining_link="https://meet.example/kx-workshop", capacity=1
    )
    confirmed_user, waiting_user = PractitionerFactory(), PractitionerFactory()
    services.registration_create(event=online, user=confirmed_user)
    services.registration_create(event=online, user=waiting_user)

    client.force_login(waiting_user)
    assert "meet.example" not in client.get("/my-events/").content.decode()
    assert "meet.example" not in client.get(online.url).content.decode()

    client.force_login(confirmed_user)
    assert "meet.example" in client.get("/my-events/").content.decode()
