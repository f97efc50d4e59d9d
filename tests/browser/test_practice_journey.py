"""Practice library journey: a practitioner shares a practice (getting an error first), a senior
editor publishes it from the Wagtail admin, and it appears in the library's filters.

The practitioner's browser runs without JavaScript, to prove the forms need none. axe runs on
the site's own pages; the /admin/ pages are Wagtail's markup, which this project does not control.
"""

import re

from django.contrib.auth.models import Group
from playwright.sync_api import expect

from kx_site.models import HomePage
from practice_library.models import PracticeIndexPage, PracticePage
from tests.factories import TOTP_SECRET, with_second_factor

from .conftest import assert_accessible, browser_journey, make_user, sign_in
from .test_event_journeys import make_practitioner

PDF = {"name": "visit-plan.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 plan"}


def make_library():
    index = PracticeIndexPage(title="Practice library", slug="library")
    HomePage.objects.get().add_child(instance=index)
    index.save_revision().publish()
    return index


@browser_journey
def test_a_practitioner_shares_a_practice_and_finds_it_once_published(new_page, outbox):
    make_library()
    submitter = make_practitioner("sam.sharer@kent.police.uk", "Sam")
    senior_editor = make_user("senior@kx.example", first_name="Sian", last_name="Senior")
    senior_editor.groups.add(Group.objects.get(name="Senior editors"))
    with_second_factor(senior_editor)

    # The practitioner, without JavaScript, opens the library and the first question page.
    page = new_page(javascript=False)
    sign_in(page, submitter.email)
    page.goto("/library/")
    assert_accessible(page)
    page.get_by_role("link", name="Share a practice from your organisation").click()
    page.wait_for_url("**/library/submit/practice/")
    assert_accessible(page)

    # They forget the name of the practice: a GOV.UK error, and what they typed is kept.
    # (test_practice_submission_journey.py follows every question page in detail.)
    page.get_by_label("Summary").fill("Police and probation review PDP referrals together.")
    page.get_by_label("Description").fill("A weekly panel reviews every referral.")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.get_by_role("link", name="Enter the name of the practice")).to_be_visible()
    expect(page.get_by_label("Description")).to_have_value(
        "A weekly panel reviews every referral."
    )
    assert_accessible(page)
    page.get_by_label("Name of the practice").fill("Weekly PDP screening panel")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/library/submit/evidence/")
    page.get_by_label("Promising").check()
    page.get_by_label("Evaluated locally").check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/library/submit/context/")
    page.get_by_label("Potentially dangerous persons (PDPs)").check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/library/submit/contact/")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/library/submit/attachments/")
    page.get_by_label("Upload a file").set_input_files(files=[PDF])
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/library/submit/check/")
    page.get_by_role("button", name="Send to the editors").click()
    page.wait_for_url("**/library/submit/sent/*/")
    expect(page.get_by_text(re.compile("is with the editors"))).to_be_visible()
    page.goto("/library/")
    expect(page.get_by_text("Weekly PDP screening panel", exact=True)).to_have_count(0)
    assert_accessible(page)
    practice = PracticePage.objects.get(title="Weekly PDP screening panel")
    assert not practice.live
    assert practice.current_workflow_state is not None

    # A senior editor publishes it from the Wagtail admin.
    editor = new_page()
    sign_in(editor, senior_editor.email, totp_secret=TOTP_SECRET)
    editor.wait_for_url(re.compile(r"^https?://[^/]+/$"))  # signed in: home
    editor.goto(f"/admin/pages/{practice.pk}/edit/")
    publish = editor.locator('button[name="action-publish"]')
    if not publish.is_visible():
        editor.get_by_role("button", name="More actions").click()
    publish.click()
    # Publishing ends the workflow the submission started: Wagtail asks to confirm.
    editor.get_by_role("dialog").get_by_role("button", name="Publish").click()
    editor.wait_for_url(lambda url: "/edit/" not in url)
    expect(editor.get_by_text(re.compile("has been published")).first).to_be_visible()
    editor.close()
    practice.refresh_from_db()
    assert practice.live

    # The practitioner is told, and finds it by its words, then by filtering the library.
    [email] = [m for m in outbox.to(submitter.email) if "published" in m["Subject"]]
    assert "Weekly PDP screening panel" in email["Subject"]
    page.goto("/library/")
    page.get_by_label("Search the library").fill("screening panels")
    page.get_by_role("button", name="Apply filters").click()
    expect(
        page.get_by_text("1 practice found for ‘screening panels’.", exact=True)
    ).to_be_visible()
    expect(page.get_by_role("link", name="Weekly PDP screening panel")).to_be_visible()
    page.get_by_role("link", name="Clear search and filters").click()
    page.get_by_label(re.compile(r"^Potentially dangerous persons \(PDPs\) \(1\)$")).check()
    page.get_by_label("Evaluated locally (1)").check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_text("1 practice.", exact=True)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Weekly PDP screening panel").click()
    expect(page.get_by_role("heading", name="Weekly PDP screening panel")).to_be_visible()
    expect(page.get_by_role("link", name="visit-plan.pdf")).to_be_visible()
    expect(page.get_by_text("sam.sharer@kent.police.uk")).to_be_visible()
    assert_accessible(page)
