"""@mentions journey: a police practitioner types "@" and a few letters in a reply, chooses a
probation practitioner from the suggestions with the keyboard, posts, and sees the mention as a
link to the member's page. Without JavaScript, typing the handle in full does the same, and a
name that matches nobody is shown before posting, the text kept, and posts when sent again.

axe runs on every page, with the suggestions open too.
"""

import re

from playwright.sync_api import expect

from accounts.models import User, VerificationMethod
from forums import services
from forums.models import ForumCategory

from .conftest import assert_accessible, browser_journey, sign_in
from .test_event_journeys import make_practitioner


def make_thread():
    category = ForumCategory.objects.create(
        name="Risk management across agencies", slug="risk-management"
    )
    police = make_practitioner("a.police@kent.police.uk", "Alex")
    probation = make_practitioner(
        "b.probation@justice.gov.uk", "Billie", organisation_slug="probation-service-london"
    )
    # Verified by their work email domain, so their first posts need no approval.
    User.objects.filter(pk__in=[police.pk, probation.pk]).update(
        verification_method=VerificationMethod.DOMAIN
    )
    probation.refresh_from_db()
    thread = services.thread_create(
        category=category, author=probation, title="Joint home visits", body="How do you plan?"
    )
    return thread, police, services.member_for(probation).handle


@browser_journey
def test_choosing_a_member_from_the_suggestions_with_the_keyboard(page):
    thread, police, handle = make_thread()
    assert handle == "billie-delegate"
    sign_in(page, police.email)
    page.goto(thread.get_absolute_url())
    assert_accessible(page)

    reply = page.get_by_label("Your reply")
    reply.click()
    reply.press_sequentially("Thanks @bil", delay=30)
    suggestions = page.get_by_role("listbox", name="Members you can mention")
    option = suggestions.get_by_role("option", name=re.compile("Billie Delegate"))
    expect(option).to_be_visible()
    expect(option).to_contain_text("@billie-delegate")
    expect(page.get_by_role("status")).to_contain_text("1 member found")
    assert_accessible(page)

    reply.press("ArrowDown")
    expect(option).to_have_attribute("aria-selected", "true")
    expect(reply).to_have_attribute("aria-activedescendant", option.get_attribute("id"))
    reply.press("Enter")
    expect(suggestions).to_be_hidden()
    expect(reply).to_have_value("Thanks @billie-delegate ")
    reply.press_sequentially("we plan them at the MAPPA meeting.")
    page.get_by_role("button", name="Post reply").click()

    expect(page.get_by_text("Your reply has been posted.")).to_be_visible()
    mention = page.locator("#post-2").get_by_role("link", name="@billie-delegate")
    expect(mention).to_have_attribute("href", f"/forums/members/{handle}/")
    assert_accessible(page)
    mention.click()
    expect(page.get_by_role("heading", level=1, name="Billie Delegate")).to_be_visible()
    expect(page.get_by_role("link", name="Joint home visits")).to_be_visible()
    assert_accessible(page)


@browser_journey
def test_escape_closes_the_suggestions_and_a_click_chooses_one(page):
    thread, police, _handle = make_thread()
    sign_in(page, police.email)
    page.goto(thread.get_absolute_url())
    reply = page.get_by_label("Your reply")
    suggestions = page.get_by_role("listbox", name="Members you can mention")

    reply.click()
    reply.press_sequentially("@delegate", delay=30)
    expect(suggestions).to_be_visible()
    reply.press("Escape")
    expect(suggestions).to_be_hidden()
    expect(reply).to_have_value("@delegate")

    reply.press_sequentially(" and @bi", delay=30)
    suggestions.get_by_role("option", name=re.compile("Billie Delegate")).click()
    expect(reply).to_have_value("@delegate and @billie-delegate ")
    expect(reply).to_be_focused()


@browser_journey
def test_without_javascript_a_full_handle_links_and_an_unknown_name_is_shown_first(new_page):
    thread, police, handle = make_thread()
    page = new_page(javascript=False)
    sign_in(page, police.email)
    page.goto(thread.get_absolute_url())

    # A name that matches nobody: shown, the text kept, and posted when sent again.
    page.get_by_label("Your reply").fill("Thanks @jsmith, and @billie-delegate too.")
    page.get_by_role("button", name="Post reply").click()
    expect(page.get_by_text("We could not find @jsmith; check the name.")).to_be_visible()
    expect(page.get_by_label("Your reply")).to_have_value(
        "Thanks @jsmith, and @billie-delegate too."
    )
    assert_accessible(page)
    page.get_by_role("button", name="Post reply").click()

    expect(page.get_by_text("Your reply has been posted.")).to_be_visible()
    post = page.locator("#post-2")
    expect(post).to_contain_text("Thanks @jsmith, and @billie-delegate too.")
    expect(post.get_by_role("link", name="@billie-delegate")).to_have_attribute(
        "href", f"/forums/members/{handle}/"
    )
    expect(post.get_by_role("link", name="@jsmith")).to_have_count(0)
    assert_accessible(page)
