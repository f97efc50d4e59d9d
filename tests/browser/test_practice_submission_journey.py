"""Issue 12: a practitioner shares a practice over GOV.UK question pages, without JavaScript.

They make a mistake on a page, upload a file and then a file that is refused (the first is
kept), change an answer from "Check your answers" and come back there, and send it: a
confirmation panel, and a draft in the editors' workflow. axe checks every page.
"""

import re

from playwright.sync_api import expect

from practice_library.models import PracticePage

from .conftest import assert_accessible, browser_journey, sign_in
from .test_event_journeys import make_practitioner
from .test_practice_journey import make_library

PDF = {"name": "visit-plan.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 plan"}
NOT_A_PDF = {"name": "notes.pdf", "mimeType": "application/pdf", "buffer": b"just some text"}


def continue_to(page, url_glob):
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(url_glob)


@browser_journey
def test_a_practitioner_shares_a_practice_question_by_question(new_page):
    make_library()
    submitter = make_practitioner("sam.sharer@kent.police.uk", "Sam")
    page = new_page(javascript=False)
    sign_in(page, submitter.email)
    page.goto("/library/")
    page.get_by_role("link", name="Share a practice from your organisation").click()

    # Question 1: they forget the name; a GOV.UK error, and what they typed is kept.
    page.wait_for_url("**/library/submit/practice/")
    expect(page.get_by_role("heading", name="What is the practice?")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Summary").fill("Police and probation review PDP referrals together.")
    page.get_by_label("Description").fill("A weekly panel reviews every referral.")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.get_by_role("link", name="Enter the name of the practice")).to_be_visible()
    expect(page).to_have_title(re.compile("^Error: "))
    expect(page.get_by_label("Description")).to_have_value(
        "A weekly panel reviews every referral."
    )
    assert_accessible(page)
    page.get_by_label("Name of the practice").fill("Weekly PDP screening panel")
    continue_to(page, "**/library/submit/evidence/")

    # Question 2: does it work.
    expect(page.get_by_role("link", name="Back")).to_have_attribute(
        "href", "/library/submit/practice/"
    )
    assert_accessible(page)
    page.get_by_label("Promising").check()
    page.get_by_label("Evaluated locally").check()
    continue_to(page, "**/library/submit/context/")

    # Question 3: topics and where it runs.
    assert_accessible(page)
    page.get_by_label("Potentially dangerous persons (PDPs)").check()
    page.get_by_label("Start date (optional)").fill("1/4/2024")
    continue_to(page, "**/library/submit/contact/")

    # Question 4: the contact is filled in from their account.
    expect(page.get_by_label("Contact email address")).to_have_value(submitter.email)
    assert_accessible(page)
    continue_to(page, "**/library/submit/attachments/")

    # Question 5: a file is kept as soon as it is uploaded; a refused file does not lose it.
    assert_accessible(page)
    page.get_by_label("Upload a file").set_input_files(files=[PDF])
    page.get_by_role("button", name="Upload file").click()
    expect(page.get_by_text("visit-plan.pdf uploaded.")).to_be_visible()
    expect(page.get_by_role("button", name="Remove visit-plan.pdf")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Upload another file").set_input_files(files=[NOT_A_PDF])
    page.get_by_role("button", name="Upload file").click()
    expect(
        page.get_by_role("link", name=re.compile("notes.pdf is not a PDF file"))
    ).to_be_visible()
    expect(page.get_by_role("button", name="Remove visit-plan.pdf")).to_be_visible()
    assert_accessible(page)
    continue_to(page, "**/library/submit/check/")

    # Check your answers: they change the name and come straight back.
    expect(
        page.get_by_role("heading", name="Check your answers before sending your practice")
    ).to_be_visible()
    expect(page.get_by_text("visit-plan.pdf")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Change name of the practice").click()
    page.wait_for_url("**/library/submit/practice/?return=check")
    expect(page.get_by_label("Name of the practice")).to_have_value("Weekly PDP screening panel")
    assert_accessible(page)
    page.get_by_label("Name of the practice").fill("Weekly PDP screening panels")
    page.get_by_role("button", name="Save and return to check your answers").click()
    page.wait_for_url("**/library/submit/check/")
    expect(page.get_by_text("Weekly PDP screening panels", exact=True)).to_be_visible()
    expect(page.get_by_text("visit-plan.pdf")).to_be_visible()

    # Sent: a confirmation panel; the practice waits for the editors.
    page.get_by_role("button", name="Send to the editors").click()
    page.wait_for_url("**/library/submit/sent/*/")
    expect(page.get_by_role("heading", name="Practice sent to the editors")).to_be_visible()
    expect(page.get_by_text("“Weekly PDP screening panels” is with the editors")).to_be_visible()
    assert_accessible(page)
    practice = PracticePage.objects.get(title="Weekly PDP screening panels")
    assert not practice.live
    assert practice.current_workflow_state is not None
    assert [a.document.title for a in practice.attachments.all()] == ["visit-plan.pdf"]
