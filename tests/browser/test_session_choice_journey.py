"""Issue 12: a delegate chooses one workshop per slot with radios (or "None"), sees the plenary
as included, switches workshop in one step, and sees a full workshop refused on its own slot.
axe checks each page.
"""

import re

from playwright.sync_api import expect

from events import services
from events.models import Registration

from .conftest import assert_accessible, browser_journey, sign_in
from .test_event_journeys import make_conference, make_practitioner


@browser_journey
def test_choose_switch_and_be_refused_a_full_workshop_on_its_own_slot(new_page):
    event = make_conference(capacity=20)
    workshop_a = event.sessions.get(title__startswith="Workshop A")
    workshop_b = event.sessions.get(title__startswith="Workshop B")
    delegate = make_practitioner("d.delegate@kent.police.uk", "Dana")

    page = new_page()
    sign_in(page, delegate.email)
    page.goto(f"/my-events/register/{event.pk}/")
    # The plenary is part of the day; the workshops are one question with a "None" answer.
    expect(page.get_by_text("Opening plenary")).to_be_visible()
    expect(page.get_by_text("Included", exact=True)).to_be_visible()
    expect(page.get_by_role("checkbox", name=re.compile("plenary|Workshop"))).to_have_count(0)
    workshops = page.get_by_role("group").filter(has=page.get_by_label(re.compile("Workshop A")))
    expect(workshops.get_by_role("radio")).to_have_count(3)
    expect(workshops.get_by_role("radio", name="None")).to_be_visible()
    assert_accessible(page)
    workshops.get_by_role("radio", name=re.compile("Workshop B")).check()
    page.get_by_role("button", name="Register", exact=True).click()
    page.wait_for_url("**/my-events/")
    registration = Registration.objects.get(event=event, user=delegate)
    assert list(registration.sessions.all()) == [workshop_b]

    # Switching from B to A is one click: the radio answer replaces the other.
    page.goto(f"/my-events/{registration.pk}/sessions/")
    expect(page.get_by_role("radio", name=re.compile("Workshop B"))).to_be_checked()
    assert_accessible(page)
    page.get_by_role("radio", name=re.compile("Workshop A")).check()
    page.get_by_role("button", name="Save your sessions").click()
    page.wait_for_url("**/my-events/")
    expect(page.get_by_text(re.compile("Your sessions at .* have been changed"))).to_be_visible()
    assert list(registration.sessions.all()) == [workshop_a]

    # The ticket lists the whole day: the plenary and the chosen workshop.
    page.goto(f"/my-events/{registration.pk}/ticket/")
    sessions = page.get_by_role("definition").filter(has_text="Opening plenary")
    expect(sessions.get_by_role("listitem")).to_have_count(2)
    expect(sessions.get_by_text(re.compile("Workshop A"))).to_be_visible()
    expect(page.get_by_text(re.compile("Workshop B"))).to_have_count(0)
    assert_accessible(page)

    # Workshop B fills up; asking for it is refused on the workshops' question, not the
    # plenary's, and the error summary leads there.
    workshop_b.capacity = 1
    workshop_b.save()
    services.registration_create(
        event=event,
        user=make_practitioner("e.other@kent.police.uk", "Eli"),
        sessions=[workshop_b],
    )
    page.goto(f"/my-events/{registration.pk}/sessions/")
    page.get_by_role("radio", name=re.compile("Workshop B")).check()
    page.get_by_role("button", name="Save your sessions").click()
    summary = page.get_by_role("alert")
    expect(
        summary.get_by_role("link", name="“Workshop B: recording on ViSOR” is full.")
    ).to_be_visible()
    error_group = page.locator(".govuk-form-group--error")
    expect(error_group).to_have_count(1)
    expect(error_group.get_by_role("radio", name=re.compile("Workshop B"))).to_have_count(1)
    assert_accessible(page)
    summary.get_by_role("link").click()
    expect(page.get_by_role("radio", name=re.compile("Workshop A"))).to_be_focused()
    assert list(registration.sessions.all()) == [workshop_a]
