"""Forums journey: a police practitioner starts a thread in a cross-agency category and mentions
a probation practitioner, who replies; the first is emailed; a member flags the reply; a
moderator hides it; the probation practitioner gets a 404 for the police-only category.

axe runs on every site page visited; the /admin/ pages are Wagtail's own markup.
"""

import re

from django.contrib.auth.models import Group
from playwright.sync_api import expect

from accounts.models import OrganisationKind, User, VerificationMethod
from forums import services
from forums.models import ForumCategory, Post
from kx_site.audience import Audience
from tests.factories import TOTP_SECRET, with_second_factor

from .conftest import assert_accessible, browser_journey, make_user, sign_in
from .test_event_journeys import make_practitioner


def make_categories():
    cross_agency = ForumCategory.objects.create(
        name="Risk management across agencies", slug="risk-management"
    )
    police_only = ForumCategory.objects.create(
        name="Police public protection",
        slug="police-public-protection",
        audience=Audience.RESTRICTED,
        restricted_to_kinds=[OrganisationKind.POLICE_FORCE],
        marking="official_sensitive",
    )
    return cross_agency, police_only


@browser_journey
def test_a_cross_agency_discussion_with_a_mention_a_flag_and_a_hidden_post(new_page, outbox):
    _cross_agency, police_only = make_categories()
    police = make_practitioner("a.police@kent.police.uk", "Alex")
    probation = make_practitioner(
        "b.probation@justice.gov.uk", "Billie", organisation_slug="probation-service-london"
    )
    # Both were verified by their work email domain, so their first posts need no approval.
    User.objects.filter(pk__in=[police.pk, probation.pk]).update(
        verification_method=VerificationMethod.DOMAIN
    )
    handle = services.member_for(probation).handle
    moderator = make_user("moderator@kx.example", first_name="Mo", last_name="Derator")
    moderator.groups.add(Group.objects.get(name="Moderators"))
    with_second_factor(moderator)

    # The police practitioner starts a thread in the cross-agency category, without JavaScript.
    page = new_page(javascript=False)
    sign_in(page, police.email)
    page.goto("/forums/")
    assert_accessible(page)
    page.get_by_role("link", name="Risk management across agencies").click()
    page.wait_for_url(re.compile(r"/forums/risk-management/$"))
    assert_accessible(page)
    page.get_by_role("button", name="Start a thread").click()
    page.wait_for_url(re.compile(r"/forums/risk-management/new/$"))
    assert_accessible(page)
    page.get_by_label("Title").fill("Joint home visits")
    page.get_by_label("Your post").fill(f"@{handle} how does probation plan joint visits?")
    page.get_by_role("button", name="Start thread").click()
    page.wait_for_url(re.compile(r"/forums/threads/\d+/"))
    expect(page.get_by_role("heading", name="Joint home visits")).to_be_visible()
    assert_accessible(page)

    # The probation practitioner is emailed about the mention, follows the link and replies.
    [mention] = outbox.to(probation.email)
    assert "mentioned you" in mention["Subject"]
    link = outbox.last_link(probation.email, r"http://\S+/forums/threads/\d+/\S*")
    other = new_page()
    sign_in(other, probation.email)
    # Emails link to the configured base URL; follow the same path on the live server.
    other.goto(re.sub(r"^https?://[^/]+", "", link))
    assert_accessible(other)
    other.get_by_label("Your reply").fill("We agree the purpose at the MAPPA meeting first.")
    other.get_by_role("button", name="Post reply").click()
    other.wait_for_load_state()
    expect(other.get_by_text("Your reply has been posted.")).to_be_visible()
    assert_accessible(other)

    # The police practitioner hears about the reply by email.
    [reply_email] = outbox.to(police.email)
    assert "posted in a thread you watch" in reply_email["Subject"]

    # The police practitioner flags the reply.
    page.reload()
    page.get_by_role("link", name="Flag post 2").click()
    page.wait_for_url(re.compile(r"/forums/posts/\d+/flag/$"))
    assert_accessible(page)
    page.get_by_role("button", name="Flag post").click()
    expect(page.get_by_text("Select why you are flagging this post").first).to_be_visible()
    assert_accessible(page)
    page.get_by_label("It is off topic").check()
    page.get_by_role("button", name="Flag post").click()
    expect(page.get_by_text("A moderator will look at the post you flagged.")).to_be_visible()
    assert_accessible(page)

    # A moderator hides it from the queue in the admin.
    admin = new_page()
    sign_in(admin, moderator.email, totp_secret=TOTP_SECRET)
    admin.wait_for_url(re.compile(r"^https?://[^/]+/$"))  # signed in: home
    admin.goto("/admin/forums/moderation/")
    admin.get_by_role("link", name="Joint home visits #2").click()
    admin.get_by_label("Reason (kept in the audit log)").first.fill("Off topic")
    admin.get_by_role("button", name="Hide").click()
    expect(admin.locator("#post-status")).to_have_text("Hidden by a moderator")
    assert Post.objects.get(number=2).status == Post.Status.HIDDEN
    admin.goto("/admin/forums/moderation/audit/")
    expect(admin.get_by_text("hide post")).to_be_visible()

    page.reload()
    expect(page.get_by_text("A moderator has hidden this post.")).to_be_visible()
    assert_accessible(page)

    # The police-only category does not exist for the probation practitioner.
    response = other.goto(f"/forums/{police_only.slug}/")
    assert response.status == 404
    assert_accessible(other)
    other.goto("/forums/")
    expect(other.get_by_role("link", name="Police public protection")).to_have_count(0)
    assert_accessible(other)
