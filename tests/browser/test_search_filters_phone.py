"""Search and the practice library on a phone (issue 12): the filters wait behind a "Filter"
button, so the first result is on the first screen; chosen filters are tags that remove one
filter each (without JavaScript too); one briefing's recommendations are grouped."""

import re

from playwright.sync_api import expect

from kx_site.audience import Audience
from practice_library.models import DoesItWork, Topic
from search import services
from tests.briefings.factories import BriefingPageFactory, RecommendationFactory
from tests.practice_library.factories import PracticePageFactory

from .conftest import assert_accessible, browser_journey

PHONE = {"width": 390, "height": 844}


def content():
    # Every seeded topic on some practice, so that the topic filter is its full length.
    topics = list(Topic.objects.all())
    for n, topic in enumerate(topics):
        PracticePageFactory(
            title=f"Merlin practice {n}",
            summary="Merlin work with partners.",
            audience=Audience.PUBLIC,
            topics=[topic],
            does_it_work=DoesItWork.PROMISING if n % 2 else DoesItWork.WORKED,
        )
    briefing = BriefingPageFactory(title="Merlin findings", audience=Audience.PUBLIC)
    for number in range(1, 6):
        RecommendationFactory(
            briefing=briefing, number=number, text=f"Record merlin visit {number} promptly."
        )
    services.search_entries_rebuild()
    return topics


@browser_journey
def test_on_a_phone_results_come_first_and_filters_wait_behind_a_button(new_page):
    topics = content()
    page = new_page(viewport=PHONE)
    for url, panel_id in (
        ("/search/?q=merlin", "search-filters"),
        ("/library/", "library-filters"),
    ):
        page.goto(url)
        button = page.get_by_role("button", name="Filter", exact=True)
        expect(button).to_be_visible()
        expect(button).to_have_attribute("aria-expanded", "false")
        expect(page.locator(f"#{panel_id}")).to_be_hidden()
        first = page.get_by_role("link", name=re.compile("^Merlin")).first
        expect(first).to_be_in_viewport()
        assert_accessible(page)

        button.click()
        expect(button).to_have_attribute("aria-expanded", "true")
        expect(page.locator(f"#{panel_id}")).to_be_visible()
        page.get_by_label(re.compile(f"^{re.escape(topics[0].name)} ")).check()
        page.get_by_role("button", name="Apply filters").click()

        # The chosen filter is a tag; the results still come before the filters.
        tag = page.get_by_role("link", name=f"Remove filter Topic: {topics[0].name}")
        expect(tag).to_be_visible()
        expect(page.get_by_role("button", name="Filter", exact=True)).to_be_visible()
        assert_accessible(page)
        tag.click()
        expect(page.get_by_role("link", name=re.compile("^Remove filter"))).to_have_count(0)

    # Result tags say what they are.
    page.goto("/library/")
    expect(page.get_by_text("Does it work? Promising").first).to_be_visible()
    expect(page.get_by_text(f"Topic: {topics[1].name}", exact=True).first).to_be_visible()
    page.goto("/search/?q=merlin")
    expect(page.get_by_text("Type: Practice").first).to_be_visible()

    # One briefing's recommendations: the best two, and a link to the rest.
    more = page.get_by_role("link", name=re.compile(r"^3 more from this briefing"))
    expect(more).to_be_visible()
    more.click()
    expect(page.get_by_role("link", name="Remove filter Within: Merlin findings")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("^Recommendation"))).to_have_count(5)
    assert_accessible(page)


@browser_journey
def test_without_javascript_the_filters_are_shown_and_tags_still_remove_them(new_page):
    topics = content()
    page = new_page(javascript=False, viewport=PHONE)
    page.goto("/search/?q=merlin")
    expect(page.get_by_role("button", name="Filter", exact=True)).to_have_count(0)
    expect(page.locator("#search-filters")).to_be_visible()
    page.get_by_label(re.compile(f"^{re.escape(topics[0].name)} ")).check()
    page.get_by_role("button", name="Apply filters").click()
    tag = page.get_by_role("link", name=f"Remove filter Topic: {topics[0].name}")
    expect(tag).to_be_visible()
    assert_accessible(page)
    tag.click()
    expect(page.get_by_role("link", name=re.compile("^Remove filter"))).to_have_count(0)
    expect(page.get_by_text(re.compile(r"^\d+ results for “merlin”"))).to_be_visible()

    page.goto("/library/")
    expect(page.locator("#library-filters")).to_be_visible()
    assert_accessible(page)
