"""After the event: an attended delegate gives feedback (without JavaScript) and downloads their
certificate; an organiser reads the feedback report.

axe checks every page visited, the admin report included (its charts and tables are ours).
"""

import re
from datetime import datetime, time, timedelta

from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from events.models import EventIndexPage, EventPage, EventSession, FeedbackResponse, Registration
from kx_site.models import HomePage

from .conftest import assert_accessible, browser_journey, sign_in
from .test_event_journeys import make_practitioner
from .test_organiser_journey import TOTP_SECRET, make_organiser


def make_past_conference():
    index = EventIndexPage(title="Events", slug="events")
    HomePage.objects.get().add_child(instance=index)
    day = timezone.localdate() - timedelta(days=3)
    start = timezone.make_aware(datetime.combine(day, time(9, 30)))
    event = EventPage(
        title="Joint working conference",
        slug="joint-working-conference",
        kind=EventPage.Kind.CONFERENCE,
        start=start,
        end=start + timedelta(hours=7),
        is_online=True,
        joining_link="https://meet.example.org/joint-working",
        summary="Joint working between MOSOVO teams and probation.",
        capacity=100,
        registration_opens_at=start - timedelta(days=60),
        registration_closes_at=start - timedelta(days=2),
        audience="practitioners",
    )
    afternoon = start + timedelta(hours=4)
    event.sessions = [
        EventSession(title="Opening plenary", start=start, end=start + timedelta(hours=1)),
        EventSession(
            title="Workshop A: protective factors",
            start=afternoon,
            end=afternoon + timedelta(hours=2),
        ),
        EventSession(
            title="Workshop B: recording on ViSOR",
            start=afternoon,
            end=afternoon + timedelta(hours=2),
        ),
    ]
    index.add_child(instance=event)
    return event


@browser_journey
def test_an_attended_delegate_gives_feedback_and_gets_a_certificate(new_page):
    event = make_past_conference()
    delegate = make_practitioner("d.delegate@kent.police.uk", "Dana")
    registration = Registration.objects.create(
        event=event,
        user=delegate,
        status=Registration.Status.CONFIRMED,
        checked_in_at=event.start,
    )
    workshop_a = event.sessions.get(title__startswith="Workshop A")
    registration.sessions.set([workshop_a])

    # Without JavaScript: My events links the past event to feedback and the certificate.
    page = new_page(javascript=False)
    sign_in(page, delegate.email)
    page.goto("/my-events/")
    assert_accessible(page)
    page.get_by_role("link", name="Give feedback on Joint working conference").click()
    page.wait_for_url(f"**/my-events/{registration.pk}/feedback/")
    expect(page.get_by_role("heading", name="Give feedback")).to_be_visible()
    expect(page.get_by_text("Workshop B")).to_have_count(0)
    assert_accessible(page)

    # Sending it half-filled: the error summary, the field messages, and nothing lost.
    page.get_by_label("4 – Good").check()
    page.get_by_label("Anything else you want to tell the organisers?").fill(
        "The case study made joint visits concrete."
    )
    page.get_by_role("button", name="Send feedback").click()
    summary = page.locator(".govuk-error-summary")
    expect(
        summary.get_by_text("Select how much the event will change your practice.")
    ).to_be_visible()
    expect(
        summary.get_by_text(re.compile("Select how useful “Opening plenary” was"))
    ).to_be_visible()
    expect(page.get_by_label("4 – Good")).to_be_checked()
    expect(page.get_by_label("Anything else you want to tell the organisers?")).to_have_value(
        re.compile("joint visits concrete")
    )
    expect(page).to_have_title(re.compile(r"^Error:"))
    assert_accessible(page)
    assert not FeedbackResponse.objects.exists()

    opening = page.get_by_role("group", name="How useful was “Opening plenary”?")
    opening.get_by_label("5 – Extremely useful").check()
    workshop = page.get_by_role("group", name="How useful was “Workshop A: protective factors”?")
    workshop.get_by_label("I did not go to this session").check()
    page.get_by_role("group", name="Will this event change your practice?").get_by_label(
        "4 – Quite a lot"
    ).check()
    page.get_by_role("button", name="Send feedback").click()
    page.wait_for_url("**/my-events/")
    expect(
        page.get_by_text("Thank you for your feedback on Joint working conference")
    ).to_be_visible()
    assert_accessible(page)
    feedback = FeedbackResponse.objects.get(registration=registration)
    assert (feedback.overall_rating, feedback.practice_change) == (4, 4)
    assert list(feedback.session_ratings.values_list("usefulness", flat=True)) == [5]

    # The certificate downloads as a PDF with the delegate's name and the event on it.
    with page.expect_download() as info:
        page.get_by_role(
            "link", name=re.compile("Download your certificate of attendance")
        ).click()
    download = info.value
    assert download.suggested_filename == "certificate-joint-working-conference.pdf"
    with open(download.path(), "rb") as handle:
        content = handle.read()
    assert content.startswith(b"%PDF-")
    text = " ".join(PdfReader(download.path()).pages[0].extract_text().split())
    assert "Dana Delegate" in text
    assert "Joint working conference" in text
    reference = re.search(r"KX-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", text).group(0)

    # Anyone with the reference can check the certificate.
    checker = new_page()
    checker.goto(f"/my-events/certificates/{reference}/")
    expect(checker.get_by_role("heading", name="This certificate is valid")).to_be_visible()
    expect(checker.get_by_text("Dana Delegate")).to_be_visible()
    assert_accessible(checker)


@browser_journey
def test_an_organiser_reads_the_feedback_report(new_page):
    event = make_past_conference()
    for index, (overall, comment) in enumerate([(5, "Excellent day"), (3, "Too rushed")]):
        delegate = make_practitioner(f"delegate{index}@kent.police.uk", f"Delegate{index}")
        registration = Registration.objects.create(
            event=event,
            user=delegate,
            status=Registration.Status.CONFIRMED,
            checked_in_at=event.start,
        )
        FeedbackResponse.objects.create(
            registration=registration,
            event=event,
            overall_rating=overall,
            practice_change=4,
            comments=comment,
        )
    organiser = make_organiser("organiser@kx.example")

    page = new_page()
    sign_in(page, organiser.email, totp_secret=TOTP_SECRET)
    page.wait_for_url(re.compile(r"^https?://[^/]+/$"))  # signed in: home
    page.goto(f"/admin/events/{event.pk}/summary/")
    page.get_by_role("link", name="Feedback", exact=True).click()
    page.wait_for_url(f"**/admin/events/{event.pk}/feedback/")
    expect(page.locator("#feedback-responses")).to_have_text("2")
    expect(page.locator("#feedback-rate")).to_have_text("100%")
    overall = page.locator("#table-overall")
    expect(overall.get_by_role("row", name=re.compile("5 – Excellent"))).to_have_text(
        re.compile(r"1 \(50%\)\s*$")
    )
    expect(page.locator('svg[role="img"]')).to_have_count(3)
    expect(page.get_by_text("Excellent day")).to_be_visible()
    expect(page.get_by_text("Delegate0")).to_have_count(0)
    assert_accessible(page)
