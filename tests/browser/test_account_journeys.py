import re

from django.contrib.auth.models import Group
from playwright.sync_api import expect

from accounts.models import Organisation, User, VerificationRequest
from tests.factories import TOTP_SECRET, with_second_factor

from .conftest import PASSWORD, assert_accessible, browser_journey, make_user, sign_in


@browser_journey
def test_police_officer_signs_up_verifies_and_is_recognised_without_javascript(new_page, outbox):
    page = new_page(javascript=False)
    page.goto("/accounts/signup/")
    assert_accessible(page)

    page.get_by_role("button", name=re.compile("Create|Sign up", re.I)).click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)
    assert not User.objects.exists()

    page.get_by_label("First name").fill("Jo")
    page.get_by_label("Last name").fill("Bloggs")
    page.get_by_label("Email address").fill("jo.bloggs@kent.police.uk")
    page.get_by_label("Your role").fill("MOSOVO detective sergeant")
    page.get_by_label("Create a password").fill("correct-horse-battery-42")
    page.get_by_label("Confirm your password").fill("correct-horse-battery-42")
    page.get_by_role("button", name=re.compile("Create|Sign up", re.I)).click()
    page.wait_for_url("**/accounts/confirm-email/")
    assert_accessible(page)

    link = outbox.last_link("jo.bloggs@kent.police.uk", r"http://\S+/accounts/confirm-email/\S+")
    page.goto(link)
    assert_accessible(page)
    page.get_by_role("button", name=re.compile("Confirm", re.I)).click()

    user = User.objects.get(email="jo.bloggs@kent.police.uk")
    assert user.organisation == Organisation.objects.get(name="Kent Police")
    assert user.is_practitioner

    # Confirmed in the browser that signed up: signed in, on Your account.
    page.wait_for_url("**/accounts/profile/")
    status = page.locator(".govuk-summary-list__row", has_text="Status")
    expect(status.locator(".govuk-tag")).to_have_text("Verified")
    member_of = page.locator(".govuk-summary-list__row", has_text="Member of")
    expect(member_of).to_contain_text("Kent Police")
    assert_accessible(page)

    page.goto("/accounts/logout/")
    assert_accessible(page)
    page.get_by_role("button", name=re.compile("Sign out", re.I)).click()
    page.goto("/accounts/profile/")
    assert "/accounts/login/" in page.url

    sign_in(page, "jo.bloggs@kent.police.uk")
    page.goto("/accounts/profile/")
    expect(page.get_by_text("Kent Police").first).to_be_visible()


@browser_journey
def test_unknown_domain_member_asks_for_verification_and_an_admin_approves(new_page, outbox):
    member = make_user("r.patel@university.example", first_name="Ravi", last_name="Patel")
    admin = make_user("admin@kx.example", is_superuser=True, is_staff=True)
    with_second_factor(admin)

    page = new_page()
    sign_in(page, member.email)
    page.goto("/accounts/profile/")
    page.get_by_role("button", name="Ask to be verified").click()
    page.wait_for_url(re.compile(r"/accounts/verification/request/$"))
    assert_accessible(page)
    page.get_by_role("button", name="Send request").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)
    assert not VerificationRequest.objects.exists()

    page.get_by_label(re.compile("Organisation", re.I)).select_option(label="Home Office")
    page.get_by_label("Your role").fill("Researcher on a Home Office evaluation")
    page.get_by_label(re.compile("Why do you need", re.I)).fill(
        "I evaluate ARMS for the Home Office."
    )
    page.get_by_role("button", name="Send request").click()
    page.wait_for_url("**/accounts/profile/")
    expect(page.get_by_text(re.compile("waiting for a decision", re.I)).first).to_be_visible()
    assert_accessible(page)

    admin_page = new_page()
    sign_in(admin_page, admin.email, totp_secret=TOTP_SECRET)
    admin_page.goto("/admin/verification/")
    admin_page.get_by_role("link", name=re.compile("Ravi Patel|r.patel", re.I)).first.click()
    admin_page.get_by_label("Approve").check()
    admin_page.get_by_role("button", name="Save decision").click()
    admin_page.wait_for_url("**/admin/verification/")

    member.refresh_from_db()
    assert member.organisation.name == "Home Office"
    assert outbox.to(member.email), "the member is told of the decision"
    assert "approved" in outbox.to(member.email)[-1]["Subject"].lower() or "verified" in (
        outbox.to(member.email)[-1]["Subject"].lower()
    )

    page.goto("/accounts/profile/")
    expect(page.get_by_text("Home Office").first).to_be_visible()


@browser_journey
def test_staff_without_an_authenticator_must_set_one_up_before_the_admin(page):
    editor = make_user("editor@kx.example")
    editor.groups.add(Group.objects.get(name="Editors"))

    sign_in(page, editor.email)
    page.goto("/admin/")
    # Setting up a second factor is sensitive: allauth asks for the password once more.
    assert "/accounts/reauthenticate/" in page.url
    assert_accessible(page)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    assert "/accounts/2fa/totp/activate/" in page.url
    assert_accessible(page)

    secret = re.sub(r"\s", "", page.locator("#authenticator-secret").inner_text())
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    from accounts.demo import current_totp_code

    page.get_by_label(re.compile("code", re.I)).fill(current_totp_code(secret))
    page.get_by_role("button", name="Turn on").click()
    response = page.goto("/admin/")
    assert response.status == 200
    assert "/accounts/" not in page.url
    expect(page).to_have_title(re.compile("Dashboard"))
