"""A practitioner adds an event to their calendar, subscribes to their personal feed, and resets
its link; a visitor finds the public feed on the events index."""

import re
from pathlib import Path

from playwright.sync_api import expect

from events import services

from .conftest import assert_accessible, browser_journey, sign_in
from .test_event_journeys import make_conference, make_practitioner


@browser_journey
def test_add_to_calendar_and_the_personal_feed(new_page, browser, site_url):
    event = make_conference(capacity=5)
    officer = make_practitioner("c.calendar@kent.police.uk", "Casey")
    page = new_page()

    # A visitor finds the public feed on the events index.
    page.goto("/events/")
    expect(page.get_by_role("link", name="Subscribe to public events")).to_have_attribute(
        "href", re.compile(r"^webcal://.+/events/calendar\.ics$")
    )
    assert_accessible(page)

    sign_in(page, officer.email)
    page.goto(event.url)
    add = page.get_by_role("link", name=re.compile("Add to calendar"))
    expect(add).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as download_info:
        add.click()
    download = download_info.value
    assert download.suggested_filename == "national-arms-conference.ics"
    ics = Path(download.path()).read_text(encoding="utf-8")
    assert "SUMMARY:National ARMS conference" in ics

    # Registered (the form is another journey's), they ask My events for a personal feed.
    services.registration_create(event=event, user=officer)
    page.goto("/my-events/")
    page.get_by_role("button", name="Get a calendar link").click()
    address = page.locator("#calendar-feed-address")
    expect(address).to_contain_text("/my-events/calendar/")
    assert_accessible(page)
    old_url = address.inner_text().strip()

    # A calendar program has no session: a fresh context with no cookies reads the feed.
    program = browser.new_context(base_url=site_url)
    try:
        feed = program.request.get(old_url)
        assert feed.status == 200
        assert "SUMMARY:National ARMS conference" in feed.text()
        assert feed.headers["cache-control"] == "private, no-store"

        page.get_by_role("button", name="Reset this link").click()
        expect(page.get_by_text("the old link no longer works")).to_be_visible()
        expect(address).not_to_have_text(old_url)
        new_url = address.inner_text().strip()
        assert program.request.get(old_url).status == 404
        assert program.request.get(new_url).status == 200
    finally:
        program.close()
