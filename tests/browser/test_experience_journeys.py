"""Journeys from issue 12 ("Experience"): what new users met in the browser.

- A signed-out visitor, and a member who is not verified, is told that listings hold more for
  a wider audience, never what; the forums are in everyone's navigation and say how to join.
- Every main page type shows its text in the GOV.UK font: an element with its own text and no
  GOV.UK style falls back to the browser's serif font, which the font check catches.
- The navigation fits one line at 1280 px for the reader with the most links (staff).
- Briefing emails reveal the topic checkboxes only for "the topics I choose" (and show them all
  without JavaScript).
"""

import json
import re

from playwright.sync_api import expect

from kx_site.audience import Audience
from tests.briefings.factories import BriefingPageFactory, RecommendationFactory
from tests.events.factories import EventPageFactory, EventSessionFactory
from tests.factories import PASSWORD as FACTORY_PASSWORD
from tests.factories import TOTP_SECRET, StandardPageFactory, staff_member
from tests.forums.conftest import make_category, start_thread
from tests.practice_library.factories import PracticePageFactory

from .conftest import assert_accessible, browser_journey, make_user, sign_in
from .test_event_journeys import make_practitioner

DESKTOP = {"width": 1280, "height": 900}

# Every element with text of its own that is shown, whose font is not the one GOV.UK's classes
# give (a <p class="govuk-body">'s): an element no GOV.UK class or styled container reaches shows
# the browser's default serif font. Links must also have GOV.UK's colours, not the browser's.
UNSTYLED_TEXT = """() => {
    const probe = document.createElement("p");
    probe.className = "govuk-body";
    document.body.appendChild(probe);
    const bodyFont = getComputedStyle(probe).fontFamily;
    probe.remove();
    const browserLinkColours = ["rgb(0, 0, 238)", "rgb(85, 26, 139)", "rgb(255, 0, 0)"];
    const found = [];
    for (const element of document.body.querySelectorAll("*")) {
        if (["SCRIPT", "STYLE", "NOSCRIPT", "svg"].includes(element.tagName)) continue;
        if (element.closest("svg")) continue;
        const style = getComputedStyle(element);
        if (!element.getClientRects().length || style.visibility === "hidden") continue;
        const ownText = [...element.childNodes].some(
            (node) => node.nodeType === Node.TEXT_NODE && node.textContent.trim()
        );
        const describe = () => element.outerHTML.slice(0, 160);
        if (ownText && style.fontFamily !== bodyFont) {
            found.push(`${describe()} has font ${style.fontFamily}`);
        }
        if (element.tagName === "A" && browserLinkColours.includes(style.color)) {
            found.push(`${describe()} has the browser's link colour ${style.color}`);
        }
    }
    return found;
}"""


def assert_styled_text(page):
    unstyled = page.evaluate(UNSTYLED_TEXT)
    assert not unstyled, f"{page.url}: text not styled by GOV.UK classes:\n" + "\n".join(unstyled)


def rich_body():
    """A StreamField body with every block that holds editors' rich text."""
    paragraph = (
        "<h2>Heading in text</h2><p>A paragraph with <a href='/events/'>a link</a>.</p>"
        "<ul><li>First point</li><li>Second point</li></ul><ol><li>Step one</li></ol>"
    )
    return json.dumps(
        [
            {"type": "heading", "value": "A section"},
            {"type": "paragraph", "value": paragraph},
            {"type": "callout", "value": {"text": "<p>Note with <a href='/'>a link</a>.</p>"}},
            {"type": "details", "value": {"summary": "More", "text": "<p>Hidden text.</p>"}},
        ]
    )


def make_content():
    """One of each page type, public, with every optional text filled in."""
    public = {"audience": Audience.PUBLIC}
    standard = StandardPageFactory(title="Guidance", slug="guidance", body=rich_body(), **public)
    event = EventPageFactory(title="Risk workshop", body=rich_body(), **public)
    EventSessionFactory(event=event, title="Opening", description="What we will cover.")
    practice = PracticePageFactory(
        title="Joint visits",
        aim="Plan visits together.\n\nShare what was seen.",
        intended_outcome="Fewer missed risks.",
        evaluation="Evaluated locally.",
        resources_and_cost="Two officers for a day.",
        focus="Risk management",
        target_group="Registered sex offenders",
        **public,
    )
    briefing = BriefingPageFactory(
        title="Visits briefing",
        key_findings=rich_body(),
        methods_note="Interviews in four forces.",
        **public,
    )
    RecommendationFactory(briefing=briefing, number=1)
    return [standard, event, practice, briefing]


@browser_journey
def test_a_visitor_is_told_more_exists_and_how_to_join_the_forums(new_page):
    EventPageFactory(title="Open workshop", audience=Audience.PUBLIC)
    EventPageFactory(title="Closed workshop", audience=Audience.PRACTITIONERS)
    PracticePageFactory(title="Open practice", audience=Audience.PUBLIC)
    PracticePageFactory(title="Closed practice", audience=Audience.PRACTITIONERS)
    BriefingPageFactory(title="Open briefing", audience=Audience.PUBLIC)
    BriefingPageFactory(title="Closed briefing", audience=Audience.PRACTITIONERS)
    make_user("new.member@example.org", first_name="Nia", last_name="New")

    page = new_page()
    for url, noun in (
        ("/events/", "events"),
        ("/library/", "practices"),
        ("/briefings/", "briefings"),
    ):
        page.goto(url)
        notice = page.locator("#more-available")
        expect(notice).to_contain_text(f"More {noun} are open to signed-in members")
        expect(notice.get_by_role("link", name="Sign in")).to_be_visible()
        expect(page.get_by_text(re.compile("Closed"))).to_have_count(0)
        assert_accessible(page)

    # The forums are in the navigation for visitors too, and say what they are and how to join.
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Forums").click()
    expect(page.get_by_role("heading", level=1, name="Forums")).to_be_visible()
    expect(page.get_by_text("only for verified practitioners")).to_be_visible()
    expect(page.get_by_role("heading", name="How to join")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Sign in").click()
    sign_in(page, "new.member@example.org")

    # A member who is not verified is told how to get verified, still without titles.
    page.goto("/events/")
    notice = page.locator("#more-available")
    expect(notice).to_contain_text("Some events are only for verified practitioners")
    expect(notice.get_by_role("link", name="ask to be verified")).to_be_visible()
    expect(page.get_by_text("Closed workshop")).to_have_count(0)
    assert_accessible(page)


@browser_journey
def test_every_page_type_shows_its_text_in_the_govuk_font(new_page):
    standard, event, practice, briefing = make_content()
    practitioner = make_practitioner("pat.reader@kent.police.uk", "Pat")
    category = make_category("risk-management")
    thread = start_thread(
        category, practitioner, body="A post with a [link](https://example.org)."
    )
    urls = [
        "/",
        standard.url,
        "/events/",
        event.url,
        "/library/",
        practice.url,
        "/briefings/",
        briefing.url,
        "/briefings/recommendations/",
        "/briefings/subscriptions/",
        "/forums/",
        f"/forums/{category.slug}/",
        f"/forums/threads/{thread.pk}/",
        "/search/?q=visits",
        "/accounts/profile/",
        "/my-events/",
        "/no-such-page/",
    ]

    visitor = new_page(viewport=DESKTOP)
    for url in ["/", "/events/", "/accounts/login/", "/accounts/signup/", "/forums/"]:
        visitor.goto(url)
        assert_styled_text(visitor)

    reader = new_page(viewport=DESKTOP)
    sign_in(reader, practitioner.email)
    reader.wait_for_url(re.compile(r"^https?://[^/]+/$"))  # signed in: home
    for url in urls:
        reader.goto(url)
        assert_styled_text(reader)

    # The practice's aim and intended outcome, where the serif font was first seen.
    reader.goto(practice.url)
    aim = reader.get_by_text("Plan visits together.")
    expect(aim).to_have_css("font-size", "19px")


@browser_journey
def test_the_staff_navigation_fits_one_line_at_1280_px(new_page):
    staff = staff_member("Editors", email="editor@kx.example")
    page = new_page(viewport=DESKTOP)
    sign_in(page, staff.email, password=FACTORY_PASSWORD, totp_secret=TOTP_SECRET)
    expect(page.get_by_role("link", name="Admin")).to_be_visible()

    for name in ("Menu", "Your account"):
        items = page.get_by_role("navigation", name=name).get_by_role("listitem")
        expect(items.first).to_be_visible()
        rows = {round(item.bounding_box()["y"]) for item in items.all()}
        assert len(rows) == 1, f"{name} navigation wraps onto {len(rows)} rows at 1280 px"
    menu = page.get_by_role("navigation", name="Menu")
    for name in ("Home", "Events", "Practice library", "Briefings", "Forums", "Search"):
        expect(menu.get_by_role("link", name=name, exact=True)).to_be_visible()
    account = page.get_by_role("navigation", name="Your account")
    for name in ("My events", "My account", "Admin", "Sign out"):
        expect(account.get_by_role("link", name=name, exact=True)).to_be_visible()
    assert_accessible(page)


@browser_journey
def test_briefing_topics_are_revealed_only_for_chosen_topics(new_page):
    make_user("subscriber@example.org", first_name="Sol", last_name="Subscriber")

    page = new_page()
    sign_in(page, "subscriber@example.org")
    page.goto("/briefings/subscriptions/")
    topics = page.get_by_role("group", name="Topics")
    expect(topics).to_be_hidden()
    page.get_by_label("Only briefings on the topics I choose").check()
    expect(topics).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Save email settings").click()
    # An error on the topics keeps them revealed.
    expect(page.get_by_text("Select at least one topic").first).to_be_visible()
    expect(page.get_by_role("group", name="Topics")).to_be_visible()
    page.get_by_role("group", name="Topics").get_by_role("checkbox").first.check()
    page.get_by_role("button", name="Save email settings").click()
    expect(
        page.get_by_text("You get emails about new briefings on the topics you chose")
    ).to_be_visible()
    expect(page.get_by_role("group", name="Topics")).to_be_visible()
    page.get_by_label("Every new briefing").check()
    expect(page.get_by_role("group", name="Topics")).to_be_hidden()

    # Without JavaScript nothing is hidden: every choice can still be made.
    no_script = new_page(javascript=False)
    sign_in(no_script, "subscriber@example.org")
    no_script.goto("/briefings/subscriptions/")
    expect(no_script.get_by_role("group", name="Topics")).to_be_visible()
    assert_accessible(no_script)
