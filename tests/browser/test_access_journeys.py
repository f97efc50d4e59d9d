import re

from playwright.sync_api import expect

from accounts.models import Organisation

from .conftest import assert_accessible, browser_journey, make_page, make_user, sign_in


@browser_journey
def test_who_sees_a_police_only_page(new_page):
    make_page(
        "police-practice",
        audience="restricted",
        kinds=["police_force"],
        marking="official_sensitive",
        text="Police-only practice.",
    )
    police = make_user("a.officer@kent.police.uk")
    police.organisation = Organisation.objects.get(name="Kent Police")
    probation = make_user("b.officer@justice.gov.uk")
    probation.organisation = Organisation.objects.get(name="Probation Service – London")
    for user in (police, probation):
        from django.utils import timezone

        user.verified_at = timezone.now()
        user.save()

    anonymous = new_page()
    anonymous.goto("/police-practice/")
    assert "/accounts/login/" in anonymous.url
    assert_accessible(anonymous)

    other_agency = new_page()
    sign_in(other_agency, probation.email)
    response = other_agency.goto("/police-practice/")
    assert response.status == 403
    expect(
        other_agency.get_by_text(re.compile("only for members of particular", re.I))
    ).to_be_visible()
    assert "Police-only practice" not in other_agency.content()
    assert_accessible(other_agency)

    allowed = new_page()
    sign_in(allowed, police.email)
    response = allowed.goto("/police-practice/")
    assert response.status == 200
    expect(allowed.get_by_text("Police-only practice.")).to_be_visible()
    expect(allowed.get_by_text("OFFICIAL-SENSITIVE")).to_be_visible()
    assert_accessible(allowed)


@browser_journey
def test_every_page_type_passes_axe(new_page):
    make_page("practitioner-page", audience="practitioners")
    member = make_user("m.member@example.org")
    anonymous = new_page()
    for path in [
        "/",
        "/about/",
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
        "/no-such-page/",
    ]:
        anonymous.goto(path)
        assert_accessible(anonymous)

    signed_in = new_page()
    sign_in(signed_in, member.email)
    for path in [
        "/accounts/profile/",
        "/accounts/email/",
        "/accounts/password/change/",
        "/accounts/2fa/",
        "/accounts/verification/request/",
        "/practitioner-page/",
    ]:
        signed_in.goto(path)
        assert_accessible(signed_in)
