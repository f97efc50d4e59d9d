"""Issue 12: the organiser's check-in page at the door, on a 390 px phone, must not spill
sideways: the name search box ran past the screen's edge, so the page scrolled horizontally.

axe is not run here: /admin/ pages are Wagtail's markup (see test_organiser_journey.py).
"""

from accounts.models import Organisation, OrganisationKind
from events import services

from .conftest import browser_journey, sign_in
from .test_event_journeys import make_conference, make_practitioner
from .test_organiser_journey import TOTP_SECRET, make_organiser

PHONE = {"width": 390, "height": 844}

# Every shown element whose right edge passes the viewport's, by tag, id and class: the list
# says which element spills when the check fails.
ELEMENTS_PAST_THE_EDGE = """() => {
    const width = window.innerWidth;
    const found = [];
    for (const element of document.body.querySelectorAll("*")) {
        const box = element.getBoundingClientRect();
        if (box.width === 0 || box.height === 0) continue;
        if (box.right > width + 0.5 || box.left < -0.5) {
            found.push(`${element.tagName.toLowerCase()}#${element.id}.${element.className} `
                + `${Math.round(box.left)}..${Math.round(box.right)}`);
        }
    }
    return found;
}"""


def assert_fits_the_phone(page):
    scroll_width, inner_width = page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert inner_width == PHONE["width"]
    assert scroll_width <= inner_width
    # The admin's layout hides horizontal overflow, so scrollWidth alone misses a box that runs
    # past the edge and is clipped: look at every element too.
    assert page.evaluate(ELEMENTS_PAST_THE_EDGE) == []
    for label in ("Ticket code (scan the QR code)", "Name, email or organisation"):
        box = page.get_by_label(label).bounding_box()
        assert box is not None
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= PHONE["width"], (label, box)


@browser_journey
def test_check_in_page_fits_a_390_px_phone_before_and_after_a_search(new_page):
    event = make_conference(capacity=20)
    # A long name and organisation: the search results must wrap, not widen the page.
    delegate = make_practitioner("d.delegate@kent.police.uk", "Dana")
    registration = services.registration_create(event=event, user=delegate)
    registration.organisation = Organisation.objects.create(
        name="Kent and Medway Multi-Agency Public Protection Arrangements Unit",
        slug="kent-medway-mappa-unit",
        kind=OrganisationKind.OTHER,
    )
    registration.save(update_fields=["organisation"])
    organiser = make_organiser("organiser@kx.example")

    page = new_page(viewport=PHONE)
    sign_in(page, organiser.email, totp_secret=TOTP_SECRET)
    page.wait_for_url("**/accounts/profile/")

    page.goto(f"/admin/events/{event.pk}/check-in/")
    assert page.get_by_label("Name, email or organisation").is_visible()
    assert_fits_the_phone(page)

    page.get_by_label("Name, email or organisation").fill("Dana")
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state()
    assert page.get_by_role("button", name="Check in Dana Delegate").is_visible()
    assert_fits_the_phone(page)
