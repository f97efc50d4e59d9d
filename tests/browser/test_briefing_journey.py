"""Journey: an editor writes a briefing and submits it; a senior editor approves it; a
subscriber is emailed; an anonymous visitor finds it in the feed only because it is public.

axe runs on the site's own pages; the /admin/ pages are Wagtail's markup.
"""

import re

from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from briefings.models import BriefingIndexPage, BriefingPage, Recommendation
from kx_site.models import HomePage
from tests.factories import TOTP_SECRET

from .conftest import assert_accessible, browser_journey, make_user, sign_in

SENIOR_SECRET = "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU"


def make_staff(email, group, secret):
    user = make_user(email, first_name=group.split()[0], last_name="Staff")
    user.groups.add(Group.objects.get(name=group))
    TOTP.activate(user, secret)
    return user


def make_index():
    index = BriefingIndexPage(title="Briefings", slug="briefings")
    HomePage.objects.get().add_child(instance=index)
    index.save_revision().publish()
    return index


def make_practitioners_briefing(index):
    briefing = BriefingPage(
        title="Practitioners-only recording briefing",
        slug="practitioners-only-recording",
        series="Recording study",
        number=1,
        summary="For practitioners only.",
        audience="practitioners",
    )
    index.add_child(instance=briefing)
    briefing.save_revision().publish()
    return briefing


@browser_journey
def test_a_briefing_is_written_approved_announced_and_listed_in_the_feed(new_page, outbox):
    index = make_index()
    hidden = make_practitioners_briefing(index)
    editor = make_staff("writer@kx.example", "Editors", TOTP_SECRET)
    senior = make_staff("approver@kx.example", "Senior editors", SENIOR_SECRET)
    make_user("reader@example.org", first_name="Rae", last_name="Reader")

    # A member subscribes to every briefing.
    reader = new_page()
    sign_in(reader, "reader@example.org")
    reader.wait_for_url(re.compile(r"^https?://[^/]+/$"))  # signed in: home
    reader.goto("/briefings/subscriptions/")
    assert_accessible(reader)
    reader.get_by_role("button", name="Save email settings").click()
    expect(
        reader.get_by_text("Select which briefings you want to hear about").first
    ).to_be_visible()
    assert_accessible(reader)
    reader.get_by_label("Every new briefing").check()
    reader.get_by_role("button", name="Save email settings").click()
    expect(reader.get_by_text("We will email you about every new briefing.")).to_be_visible()
    assert_accessible(reader)

    # The editor writes a public briefing and submits it for approval.
    desk = new_page()
    sign_in(desk, editor.email, totp_secret=TOTP_SECRET)
    desk.wait_for_url(re.compile(r"^https?://[^/]+/$"))  # signed in: home
    desk.goto(f"/admin/pages/add/briefings/briefingpage/{index.pk}/")
    desk.locator("#id_title").fill("Joint visits: interim findings")
    desk.locator("#id_series").fill("Joint visits study")
    desk.locator("#id_number").fill("1")
    desk.locator("#id_summary").fill("Visits planned jointly found more protective factors.")
    desk.get_by_role("tab", name="Settings").click()
    desk.locator("#id_audience").select_option("public")
    desk.get_by_role("button", name="More actions").click()
    with desk.expect_navigation():
        desk.get_by_role("button", name=re.compile("Submit to Briefing approval")).click()
    desk.wait_for_load_state()
    briefing = BriefingPage.objects.get(slug="joint-visits-interim-findings")
    assert not briefing.live
    assert briefing.current_workflow_state.workflow.name == "Briefing approval"

    # The senior editor approves it with a comment.
    review = new_page()
    sign_in(review, senior.email, totp_secret=SENIOR_SECRET)
    review.wait_for_url(re.compile(r"^https?://[^/]+/$"))  # signed in: home
    review.goto(f"/admin/pages/{briefing.pk}/edit/")
    review.get_by_role("button", name="More actions").click()
    review.get_by_role("button", name="Approve with comment").click()
    dialog = review.get_by_role("dialog")
    dialog.locator("textarea[name=comment]").fill("Clear and well sourced.")
    with review.expect_navigation():
        dialog.get_by_role("button", name=re.compile("Approve")).click()
    review.wait_for_load_state()
    briefing.refresh_from_db()
    assert briefing.live

    # The author hears the outcome with the comment; the subscriber gets the briefing.
    author_mail = outbox.to("writer@kx.example")
    assert len(author_mail) == 1
    assert "Clear and well sourced." in author_mail[0].get_payload(decode=True).decode()
    announcement = outbox.to("reader@example.org")
    assert len(announcement) == 1
    assert "Joint visits: interim findings" in announcement[0]["Subject"]
    assert announcement[0]["List-Unsubscribe"]
    body = announcement[0].get_payload(decode=True).decode()
    assert "Visits planned jointly found more protective factors." in body

    # An anonymous visitor reads it, and finds it in the feed without the practitioners' one.
    visitor = new_page(javascript=False)
    visitor.goto("/briefings/")
    assert_accessible(visitor)
    visitor.get_by_role("link", name="Joint visits: interim findings").click()
    expect(visitor.get_by_role("heading", name="Joint visits: interim findings")).to_be_visible()
    assert_accessible(visitor)
    feed = visitor.request.get("/briefings/feed/").text()
    assert "Joint visits: interim findings" in feed
    assert hidden.title not in feed
    visitor.goto("/briefings/recommendations/")
    assert_accessible(visitor)

    # The subscriber unsubscribes from the link in the email, without signing in.
    # The email's host is the live server's (the editor's request); the path is what matters here.
    link = re.search(r"http://\S+?(/briefings/unsubscribe/\S+/)", body).group(1)
    visitor.goto(link)
    assert_accessible(visitor)
    visitor.get_by_role("button", name="Unsubscribe").click()
    expect(visitor.get_by_role("heading", name="You have unsubscribed")).to_be_visible()
    assert_accessible(visitor)


@browser_journey
def test_an_editor_changes_a_recommendations_status_in_the_admin(page):
    index = make_index()
    briefing = make_practitioners_briefing(index)
    Recommendation.objects.create(
        briefing=briefing, number=1, text="Record ARMS outcomes within five days.", owner="police"
    )
    make_staff("writer@kx.example", "Editors", TOTP_SECRET)

    sign_in(page, "writer@kx.example", totp_secret=TOTP_SECRET)
    page.goto("/admin/")
    page.get_by_role("link", name="Recommendations").first.click()
    page.wait_for_url("**/admin/briefings/recommendations/")
    expect(page.get_by_text("Record ARMS outcomes within five days.")).to_be_visible()
    page.get_by_role("link", name="Change status of recommendation 1").click()
    page.get_by_label("Accepted").check()
    page.get_by_role("button", name="Save status").click()

    page.wait_for_url("**/admin/briefings/recommendations/")
    expect(page.get_by_text(f"Recommendation 1 of “{briefing.title}” updated.")).to_be_visible()
    expect(page.get_by_role("cell", name="Accepted")).to_be_visible()
