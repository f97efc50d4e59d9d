"""Issue 12: the home page shows what is next and new for the reader; signing in lands there."""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Organisation
from events.models import EventIndexPage, EventPage, Registration, Venue
from kx_site.models import HomePage

from .conftest import assert_accessible, browser_journey, make_user, sign_in


def make_event(index, title, *, days, audience="practitioners", kinds=()):
    start = (timezone.now() + timedelta(days=days)).replace(hour=9, minute=30, second=0)
    event = EventPage(
        title=title,
        slug=re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-"),
        start=start,
        end=start + timedelta(hours=7),
        venue=Venue.objects.get_or_create(name="Conference centre", address="1 High Street")[0],
        summary=f"About {title}.",
        capacity=50,
        registration_opens_at=timezone.now() - timedelta(days=1),
        registration_closes_at=start - timedelta(days=1),
        audience=audience,
        restricted_to_kinds=list(kinds),
    )
    index.add_child(instance=event)
    return event


@browser_journey
def test_a_practitioner_signs_in_and_lands_on_home_with_their_next_event(new_page):
    index = EventIndexPage(title="Events", slug="events")
    HomePage.objects.get().add_child(instance=index)
    make_event(index, "Open day on MAPPA", days=20, audience="public")
    conference = make_event(index, "National ARMS conference", days=10)
    make_event(
        index, "Probation-only workshop", days=5, audience="restricted", kinds=["probation_region"]
    )
    practitioner = make_user("pat.delegate@kent.police.uk", first_name="Pat", last_name="Delegate")
    practitioner.organisation = Organisation.objects.get(slug="kent-police")
    practitioner.verified_at = timezone.now()
    practitioner.save()
    registration = Registration.objects.create(
        event=conference,
        user=practitioner,
        status=Registration.Status.CONFIRMED,
        organisation=practitioner.organisation,
    )

    # Signed out: the public event only, and an invitation to the forums with no titles.
    page = new_page()
    page.goto("/")
    upcoming = page.locator("#upcoming-events")
    expect(upcoming.get_by_role("link", name="Open day on MAPPA")).to_be_visible()
    expect(upcoming).not_to_contain_text("National ARMS conference")
    expect(page.locator("#active-threads")).to_contain_text("Sign in to join the discussion")
    expect(page.locator("#your-next-event")).to_have_count(0)
    assert_accessible(page)

    # Signing in lands on the home page, which now leads with their own next event.
    sign_in(page, practitioner.email)
    expect(page).to_have_url(re.compile(r"^https?://[^/]+/$"))
    card = page.locator("#your-next-event")
    expect(card.get_by_role("heading", name="Your next event")).to_be_visible()
    expect(card.get_by_role("link", name="National ARMS conference", exact=True)).to_be_visible()
    expect(card).to_contain_text("Confirmed")
    expect(
        upcoming.get_by_role("link", name="National ARMS conference", exact=True)
    ).to_be_visible()
    expect(page.get_by_text("Probation-only workshop")).to_have_count(0)
    assert_accessible(page)

    card.get_by_role("link", name=re.compile("Your ticket")).click()
    expect(page).to_have_url(re.compile(rf"/my-events/{registration.pk}/ticket/$"))
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
