"""Journey 2: an organiser checks a delegate in from the ticket's QR code data, on a phone, and
exports the delegate list; then cancels an event, and the delegate reads why.

axe runs on the site's own pages only: the /admin/ pages are Wagtail's markup, which this
project does not control (the organiser tools' own templates are tested in tests/events).
"""

import csv
import io
import re

from django.contrib.auth.models import Group
from playwright.sync_api import expect

from events import services
from events.log_actions import registration_action, registration_log
from events.models import Registration
from tests.factories import TOTP_SECRET, with_second_factor

from .conftest import assert_accessible, browser_journey, make_user, sign_in
from .test_event_journeys import make_conference, make_practitioner

Status = Registration.Status
PHONE = {"width": 390, "height": 844}


def make_organiser(email):
    user = make_user(email, first_name="Olu", last_name="Organiser")
    user.groups.add(Group.objects.get(name="Event organisers"))
    with_second_factor(user)
    return user


@browser_journey
def test_organiser_checks_a_delegate_in_and_exports_the_delegate_list(new_page):
    event = make_conference(capacity=20)
    delegate = make_practitioner("d.delegate@kent.police.uk", "Dana")
    registration = services.registration_create(event=event, user=delegate)
    assert registration.status == Status.CONFIRMED
    organiser = make_organiser("organiser@kx.example")

    # At the door, on a phone: the organiser signs in with their authenticator app.
    page = new_page(viewport=PHONE)
    page.goto("/accounts/login/")
    assert_accessible(page)
    sign_in(page, organiser.email, totp_secret=TOTP_SECRET)
    page.wait_for_url(re.compile(r"^https?://[^/]+/$"))  # signed in: home
    assert_accessible(page)
    page.goto(event.url)
    assert_accessible(page)

    # The QR code on the ticket holds the ticket code; the scanner types it into the box.
    page.goto(f"/admin/events/{event.pk}/check-in/")
    expect(page.get_by_text("0 of 1 confirmed delegates checked in.")).to_be_visible()
    ticket_code = str(registration.ticket_code)
    page.get_by_label("Ticket code (scan the QR code)").fill(ticket_code)
    page.get_by_role("button", name="Check in", exact=True).click()
    page.wait_for_load_state()
    expect(page.get_by_text("Dana Delegate is checked in.")).to_be_visible()
    expect(page.get_by_text("1 of 1 confirmed delegates checked in.")).to_be_visible()
    registration.refresh_from_db()
    checked_in_at = registration.checked_in_at
    assert checked_in_at is not None

    # A second scan of the same ticket changes nothing and says so.
    page.get_by_label("Ticket code (scan the QR code)").fill(ticket_code)
    page.get_by_role("button", name="Check in", exact=True).click()
    page.wait_for_load_state()
    expect(page.get_by_text(re.compile("Dana Delegate was already checked in"))).to_be_visible()
    registration.refresh_from_db()
    assert registration.checked_in_at == checked_in_at
    assert (
        registration_log(registration).filter(action=registration_action("checked_in")).count()
        == 1
    )

    # Back at a desk, in the same session (allauth refuses a TOTP code used once already):
    # the delegate list, exported as CSV.
    desk = page
    desk.set_viewport_size({"width": 1280, "height": 800})
    desk.goto(f"/admin/events/{event.pk}/delegates/")
    with desk.expect_download() as info:
        desk.get_by_role("link", name="Download CSV").click()
    download = info.value
    assert download.suggested_filename == f"delegates-{event.slug}.csv"
    with open(download.path(), encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(io.StringIO(handle.read())))
    (row,) = rows
    assert row["Email"] == delegate.email
    assert row["Status"] == "Confirmed"
    assert row["Checked in"]


@browser_journey
def test_organiser_cancels_an_event_and_the_delegate_sees_why(new_page):
    event = make_conference(capacity=20)
    delegate = make_practitioner("d.delegate@kent.police.uk", "Dana")
    services.registration_create(event=event, user=delegate)
    organiser = make_organiser("organiser@kx.example")

    desk = new_page()
    sign_in(desk, organiser.email, totp_secret=TOTP_SECRET)
    desk.wait_for_url(re.compile(r"^https?://[^/]+/$"))
    desk.goto(f"/admin/events/{event.pk}/delegates/")
    desk.get_by_role("link", name="Cancel event").click()
    expect(desk.get_by_text("Cancelling cannot be undone")).to_be_visible()
    # No reason: nothing is cancelled, and the form says what is missing.
    desk.get_by_role("button", name="Cancel the event and tell delegates").click()
    expect(desk.get_by_role("alert")).to_contain_text("Enter the reason to give delegates.")
    desk.get_by_label("Reason to give delegates").fill("The venue has closed; new date to follow.")
    desk.get_by_role("button", name="Cancel the event and tell delegates").click()
    expect(
        desk.get_by_text(re.compile("is cancelled. 1 delegate was told by email"))
    ).to_be_visible()

    reader = new_page()
    sign_in(reader, delegate.email)
    reader.goto(event.url)
    expect(reader.get_by_text("This event has been cancelled", exact=True)).to_be_visible()
    expect(reader.get_by_text("The venue has closed; new date to follow.")).to_be_visible()
    expect(reader.get_by_role("link", name=re.compile("^Register"))).to_have_count(0)
    assert_accessible(reader)
    reader.goto("/my-events/")
    expect(reader.get_by_text(event.title).first).to_be_visible()
    assert_accessible(reader)
    registration = Registration.objects.get(event=event, user=delegate)
    assert registration.status == Status.CANCELLED
