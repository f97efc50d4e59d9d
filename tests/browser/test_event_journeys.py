import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Organisation
from events import services
from events.models import EventIndexPage, EventPage, EventSession, Registration, Venue
from kx_site.models import HomePage

from .conftest import assert_accessible, browser_journey, make_user, sign_in

Status = Registration.Status


def make_practitioner(email, first_name, organisation_slug="kent-police"):
    user = make_user(email, first_name=first_name, last_name="Delegate", job_title="Detective")
    user.organisation = Organisation.objects.get(slug=organisation_slug)
    user.verified_at = timezone.now()
    user.save()
    return user


def make_conference(*, capacity, title="National ARMS conference"):
    """An index at /events/ and an upcoming conference, open for registration, with a
    morning plenary and two parallel afternoon workshops."""
    index = EventIndexPage(title="Events", slug="events")
    HomePage.objects.get().add_child(instance=index)
    start = (timezone.now() + timedelta(days=30)).replace(hour=9, minute=30, second=0)
    venue = Venue.objects.create(
        name="Conference centre",
        address="1 High Street\nBirmingham",
        access_information="Step-free.",
    )
    event = EventPage(
        title=title,
        slug="national-arms-conference",
        kind=EventPage.Kind.CONFERENCE,
        start=start,
        end=start + timedelta(hours=7),
        venue=venue,
        summary="A day on ARMS practice for police and probation.",
        capacity=capacity,
        registration_opens_at=timezone.now() - timedelta(days=1),
        registration_closes_at=start - timedelta(days=2),
        audience="practitioners",
    )
    afternoon = start + timedelta(hours=4)
    event.sessions = [
        EventSession(title="Opening plenary", start=start, end=start + timedelta(hours=1)),
        EventSession(
            title="Workshop A: protective factors",
            start=afternoon,
            end=afternoon + timedelta(hours=1),
            room="Room 1",
            capacity=20,
        ),
        EventSession(
            title="Workshop B: recording on ViSOR",
            start=afternoon,
            end=afternoon + timedelta(hours=1),
            room="Room 2",
            capacity=20,
        ),
    ]
    index.add_child(instance=event)
    return event


def calendar_parts(message):
    return [part for part in message.walk() if part.get_content_type() == "text/calendar"]


@browser_journey
def test_register_cancel_and_the_waiting_list_moves_on(new_page, outbox):
    event = make_conference(capacity=1)
    first = make_practitioner("a.first@kent.police.uk", "Alex")
    second = make_practitioner("b.second@kent.police.uk", "Billie")

    # A verified practitioner finds the conference and registers with a session choice.
    page = new_page()
    sign_in(page, first.email)
    page.goto("/events/")
    assert_accessible(page)
    page.get_by_role("link", name=event.title).click()
    page.wait_for_url("**/events/national-arms-conference/")
    expect(page.get_by_text("1 of 1 place left")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name=re.compile(r"^Register")).click()
    page.wait_for_url(f"**/my-events/register/{event.pk}/")
    assert_accessible(page)
    page.get_by_label(re.compile("Workshop A")).check()
    page.get_by_label("Dietary needs (optional)").fill("Vegetarian")
    page.get_by_role("button", name="Register", exact=True).click()
    page.wait_for_url("**/my-events/")
    expect(page.get_by_text(re.compile("Your place is confirmed"))).to_be_visible()
    assert_accessible(page)

    registration = Registration.objects.get(event=event, user=first)
    assert registration.status == Status.CONFIRMED
    assert [s.title for s in registration.sessions.all()] == ["Workshop A: protective factors"]
    (confirmation,) = outbox.to(first.email)
    assert "confirmed" in confirmation["Subject"]
    (ics,) = calendar_parts(confirmation)
    assert registration.calendar_uid in ics.get_payload(decode=True).decode()

    # The event is now full: the next person joins the waiting list.
    services.registration_create(event=event, user=second)
    assert Registration.objects.get(user=second).status == Status.WAITING

    # The first delegate cancels, after a confirmation page.
    page.get_by_role("link", name=f"Cancel {event.title}").click()
    page.wait_for_url(f"**/my-events/{registration.pk}/cancel/")
    assert_accessible(page)
    page.get_by_role("button", name="Yes, cancel my place").click()
    page.wait_for_url("**/my-events/")
    expect(page.get_by_text(re.compile("is cancelled"))).to_be_visible()
    assert_accessible(page)
    registration.refresh_from_db()
    assert registration.status == Status.CANCELLED

    # The first person on the waiting list is offered the place by email, and accepts it.
    offer = next(m for m in outbox.to(second.email) if "place has come up" in m["Subject"])
    body = offer.get_payload(decode=True).decode()
    assert "holding it for you until" in body
    accept_path = re.search(r"https?://[^/\s]+(/my-events/\S*)", body).group(1)

    waiting = new_page()
    sign_in(waiting, second.email)
    waiting.goto(accept_path)
    expect(waiting.get_by_text("Offered a place")).to_be_visible()
    assert_accessible(waiting)
    waiting.get_by_role("button", name=f"Accept the place at {event.title}").click()
    waiting.wait_for_url("**/my-events/")
    expect(waiting.get_by_text(re.compile("You have accepted the place"))).to_be_visible()
    assert_accessible(waiting)
    offered = Registration.objects.get(event=event, user=second)
    assert offered.status == Status.CONFIRMED
    assert calendar_parts(outbox.to(second.email)[-1])

    # The confirmed delegate's ticket carries a QR code for check-in.
    waiting.get_by_role("link", name=f"Ticket for {event.title}").click()
    expect(waiting.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    # The short code to type at the door (issue 12), not the UUID.
    expect(waiting.get_by_text(offered.short_code)).to_be_visible()
    assert_accessible(waiting)
