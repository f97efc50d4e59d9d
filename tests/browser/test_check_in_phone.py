"""Issue 12: the organiser's check-in page at the door, on a 390 px phone, must not spill
sideways: the name search box ran past the screen's edge, so the page scrolled horizontally.
The ticket's short code is typed (any case, spaces and dashes as they come), with or without
JavaScript; where the browser has BarcodeDetector and a camera, "Scan ticket" reads the QR code
and checks the delegate in.

Debian's Chromium has no BarcodeDetector (nor a camera): the scanning journey gives the page a
stand-in detector that "reads" the ticket's code from any frame, and a camera made from a
canvas, so what is tested is the page's own script: when it offers the button, and what it does
with a code read.

axe is not run here: /admin/ pages are Wagtail's markup (see test_organiser_journey.py).
"""

import json

from playwright.sync_api import expect

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
    # Wherever signing in lands (the home page, or the page asked for).
    expect(page.get_by_text("Successfully signed in", exact=False)).to_be_visible()

    page.goto(f"/admin/events/{event.pk}/check-in/")
    expect(page.get_by_label("Name, email or organisation")).to_be_visible()
    assert_fits_the_phone(page)

    page.get_by_label("Name, email or organisation").fill("Dana")
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state()
    expect(page.get_by_role("button", name="Check in Dana Delegate")).to_be_visible()
    assert_fits_the_phone(page)


def scanner_stand_in(code, *, camera=True):
    """A script run before the page's own: BarcodeDetector that finds ``code`` in a playing
    video, and (with ``camera``) a camera made from a canvas."""
    return f"""
        window.BarcodeDetector = class {{
            static async getSupportedFormats() {{ return ["qr_code", "ean_13"]; }}
            constructor(options) {{ this.formats = options.formats; }}
            async detect(source) {{
                if (!(source instanceof HTMLVideoElement) || !source.srcObject) {{
                    throw new DOMException("No frame yet", "InvalidStateError");
                }}
                return [{{ format: "qr_code", rawValue: {json.dumps(code)} }}];
            }}
        }};
        window.cameraStopped = false;
        const camera = {json.dumps(camera)};
        navigator.mediaDevices.enumerateDevices = async () =>
            camera ? [{{ kind: "videoinput", deviceId: "back", label: "", groupId: "" }}] : [];
        navigator.mediaDevices.getUserMedia = async () => {{
            if (!camera) throw new DOMException("No camera", "NotFoundError");
            const canvas = document.createElement("canvas");
            canvas.width = 64;
            canvas.height = 64;
            canvas.getContext("2d").fillRect(0, 0, 64, 64);
            const stream = canvas.captureStream(5);
            stream.getTracks().forEach((track) => {{
                const stop = track.stop.bind(track);
                track.stop = () => {{ window.cameraStopped = true; stop(); }};
            }});
            return stream;
        }};
    """


def check_in_page(new_page, event, organiser, *, stand_in=None, javascript=True):
    """The check-in page on a phone, signed in as ``organiser`` (each sign-in needs its own
    organiser: allauth refuses a TOTP code used once already)."""
    page = new_page(viewport=PHONE, javascript=javascript)
    if stand_in:
        page.add_init_script(stand_in)
    sign_in(page, organiser.email, totp_secret=TOTP_SECRET)
    # Wherever signing in lands (the home page, or the page asked for).
    expect(page.get_by_text("Successfully signed in", exact=False)).to_be_visible()
    page.goto(f"/admin/events/{event.pk}/check-in/")
    if javascript:
        # The script has finished deciding whether to offer "Scan ticket".
        expect(page.locator("#check-in-form[data-scanner]")).to_have_count(1)
    return page


@browser_journey
def test_scan_ticket_reads_the_qr_code_and_checks_the_delegate_in(new_page):
    event = make_conference(capacity=20)
    registration = services.registration_create(
        event=event, user=make_practitioner("d.delegate@kent.police.uk", "Dana")
    )
    organiser = make_organiser("organiser@kx.example")
    # The QR code holds the short code, as the ticket page draws it.
    page = check_in_page(
        new_page, event, organiser, stand_in=scanner_stand_in(registration.short_code)
    )

    scan = page.get_by_role("button", name="Scan ticket")
    expect(scan).to_be_visible()
    assert_fits_the_phone(page)
    scan.click()

    expect(page.get_by_text("Dana Delegate is checked in.")).to_be_visible()
    expect(page.get_by_text("1 of 1 confirmed delegates checked in.")).to_be_visible()
    registration.refresh_from_db()
    assert registration.checked_in_at is not None
    # The page that follows offers the button again, with the camera off until asked.
    expect(page.get_by_role("button", name="Scan ticket")).to_be_visible()
    expect(page.locator("video")).to_be_hidden()


@browser_journey
def test_scanning_stops_when_asked_and_frees_the_camera(new_page):
    event = make_conference(capacity=20)
    organiser = make_organiser("organiser@kx.example")
    # A detector that never finds a code: the organiser gives up and types instead.
    never_finds = scanner_stand_in("").replace(
        'return [{ format: "qr_code", rawValue: "" }]', "return []"
    )
    page = check_in_page(new_page, event, organiser, stand_in=never_finds)

    page.get_by_role("button", name="Scan ticket").click()
    expect(page.locator("video")).to_be_visible()
    expect(page.locator("#check-in-form").get_by_role("status")).to_have_text(
        "Hold the ticket's QR code in front of the camera."
    )
    assert_fits_the_phone(page)
    page.get_by_role("button", name="Stop scanning").click()

    expect(page.locator("video")).to_be_hidden()
    expect(page.get_by_role("button", name="Scan ticket")).to_be_visible()
    assert page.evaluate("window.cameraStopped") is True


@browser_journey
def test_no_scan_button_without_a_camera_or_a_detector_and_typing_still_works(new_page):
    event = make_conference(capacity=20)
    dana = services.registration_create(
        event=event, user=make_practitioner("d.delegate@kent.police.uk", "Dana")
    )

    # A detector but no camera: no button.
    page = check_in_page(
        new_page,
        event,
        make_organiser("organiser@kx.example"),
        stand_in=scanner_stand_in(dana.short_code, camera=False),
    )
    expect(page.locator("#check-in-form")).to_have_attribute("data-scanner", "unavailable")
    expect(page.get_by_role("button", name="Scan ticket")).to_have_count(0)

    # Debian's Chromium as it is (no BarcodeDetector): no button; the code typed as read out,
    # in lower case with a space, checks the delegate in.
    page = check_in_page(new_page, event, make_organiser("second.organiser@kx.example"))
    assert page.evaluate("'BarcodeDetector' in window") is False
    expect(page.locator("#check-in-form")).to_have_attribute("data-scanner", "unavailable")
    expect(page.get_by_role("button", name="Scan ticket")).to_have_count(0)
    page.get_by_label("Ticket code (scan the QR code)").fill(
        dana.short_code.lower().replace("-", " ")
    )
    page.get_by_role("button", name="Check in", exact=True).click()
    expect(page.get_by_text("Dana Delegate is checked in.")).to_be_visible()


@browser_journey
def test_typing_a_ticket_code_works_without_javascript(new_page):
    event = make_conference(capacity=20)
    dana = services.registration_create(
        event=event, user=make_practitioner("d.delegate@kent.police.uk", "Dana")
    )
    page = check_in_page(new_page, event, make_organiser("organiser@kx.example"), javascript=False)

    expect(page.get_by_role("button", name="Scan ticket")).to_have_count(0)
    page.get_by_label("Ticket code (scan the QR code)").fill(dana.short_code)
    # The phone keyboard's Go key (Enter) sends the form. Without JavaScript, Wagtail's own
    # sidebar placeholder lies over the "Check in" button on a phone, so a tap would not reach
    # it: that is the admin's markup, which needs JavaScript, not this page's.
    page.get_by_label("Ticket code (scan the QR code)").press("Enter")

    expect(page.get_by_text("Dana Delegate is checked in.")).to_be_visible()
