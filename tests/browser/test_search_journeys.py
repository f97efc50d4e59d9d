import re

from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Organisation
from kx_site.audience import Audience, Marking
from search import services
from tests.practice_library.factories import PracticePageFactory

from .conftest import assert_accessible, browser_journey, make_user, sign_in


def searchable_practices():
    kent = Organisation.objects.get(slug="kent-police")
    PracticePageFactory(
        title="Joint home visits with probation",
        summary="Police and probation visit registered offenders together.",
        audience=Audience.PUBLIC,
    )
    for n in range(22):
        PracticePageFactory(
            title=f"Visit planning note {n}",
            summary="Planning each home visit.",
            audience=Audience.PUBLIC,
        )
    secret = PracticePageFactory(
        title="Kent covert visit tactics",
        summary="Only for Kent Police.",
        audience=Audience.RESTRICTED,
        marking=Marking.OFFICIAL_SENSITIVE,
    )
    secret.restricted_to_organisations.set([kent])
    secret.save()
    services.search_entries_rebuild()


@browser_journey
def test_searching_filtering_and_paging_without_javascript(new_page):
    searchable_practices()
    page = new_page(javascript=False)
    page.goto("/")
    page.get_by_role("link", name="Search").first.click()
    page.wait_for_url(re.compile(r"/search/$"))
    assert_accessible(page)
    page.get_by_label("Search KX").fill("home visits")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_text(re.compile(r"23 results for “home visits”"))).to_be_visible()
    assert "Kent covert visit tactics" not in page.content()
    assert_accessible(page)

    page.get_by_role("link", name="Next page").click()
    expect(page.get_by_text("showing 21 to 23")).to_be_visible()
    assert_accessible(page)

    page.get_by_label(re.compile("^Promising")).check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_label(re.compile("^Promising"))).to_be_checked()
    assert_accessible(page)

    page.get_by_label("Search KX").fill("x" * 201)
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    assert_accessible(page)


@browser_journey
def test_a_practitioner_finds_restricted_practice_and_gets_suggestions(new_page):
    searchable_practices()
    officer = make_user("s.officer@kent.police.uk")
    officer.organisation = Organisation.objects.get(slug="kent-police")
    officer.verified_at = timezone.now()
    officer.save()
    page = new_page()
    sign_in(page, officer.email)
    page.goto("/search/")
    box = page.get_by_label("Search KX")
    box.press_sequentially("kent cov")
    expect(page.locator("#id_q-suggestions option").first).to_have_attribute(
        "value", "Kent covert visit tactics"
    )
    box.fill("covert visit")
    box.press("Enter")
    page.wait_for_url(re.compile(r"q=covert"))
    expect(page.get_by_role("link", name="Kent covert visit tactics")).to_be_visible()
    assert_accessible(page)
