"""The administrators' verification queue in the Wagtail admin."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.models import Group, Permission
from django.core import mail

from accounts import audit, services
from accounts.models import Organisation, VerificationMethod, VerificationRequest
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

QUEUE_URL = "/admin/verification/"


def with_totp(user):
    TOTP.activate(user, generate_totp_secret())
    return user


@pytest.fixture
def applicant():
    return UserFactory(email="alex@charity.example", first_name="Alex", last_name="Applicant")


@pytest.fixture
def pending(applicant):
    return services.verification_request_create(
        user=applicant,
        organisation=Organisation.objects.get(slug="home-office"),
        job_title="Programme manager",
        reason="I run a Home Office-funded programme with MOSOVO teams.",
    )


@pytest.fixture
def admin_user():
    return with_totp(UserFactory(email="admin@kx.example", is_superuser=True, is_staff=True))


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def verifier_client(client):
    """A non-superuser in a group given the Django permission to decide requests."""
    group = Group.objects.create(name="Verifiers")
    group.permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="change_verificationrequest"),
    )
    verifier = with_totp(UserFactory(email="verifier@kx.example"))
    verifier.groups.add(group)
    client.force_login(verifier)
    return client


def decide_url(request):
    return f"/admin/verification/{request.pk}/"


def test_the_queue_lists_pending_requests_for_an_administrator(admin_client, pending):
    response = admin_client.get(QUEUE_URL)

    assert response.status_code == 200
    assert list(response.context["pending"]) == [pending]
    assert "alex@charity.example" in response.content.decode()


def test_the_decision_page_shows_the_request(admin_client, pending):
    response = admin_client.get(decide_url(pending))

    assert response.status_code == 200
    assert response.context["verification_request"] == pending
    assert "Programme manager" in response.content.decode()


def test_a_group_with_the_permission_may_use_the_queue(verifier_client, pending):
    assert verifier_client.get(QUEUE_URL).status_code == 200
    assert verifier_client.get(decide_url(pending)).status_code == 200


def test_an_unknown_request_is_not_found(admin_client):
    assert admin_client.get("/admin/verification/999999/").status_code == 404


@pytest.mark.parametrize("who", ["anonymous", "member", "editor"])
def test_the_queue_refuses_anyone_without_the_permission(client, pending, who):
    if who == "member":
        client.force_login(UserFactory())
    elif who == "editor":
        editor = with_totp(UserFactory(email="editor@kx.example"))
        editor.groups.add(Group.objects.get(name="Editors"))
        client.force_login(editor)

    for url in (QUEUE_URL, decide_url(pending)):
        response = client.get(url)
        assert response.status_code in (302, 403), url
        assert not response.get("Location", "").startswith(url)

    response = client.post(decide_url(pending), {"decision": "approve", "note": ""})

    assert response.status_code in (302, 403)
    pending.refresh_from_db()
    assert pending.status == VerificationRequest.Status.PENDING
    assert not pending.user.is_practitioner
    assert mail.outbox == []


def test_approving_makes_the_member_a_practitioner_and_emails_them(
    admin_client, admin_user, pending, applicant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(decide_url(pending), {"decision": "approve", "note": ""})

    assert response.status_code == 302
    assert response["Location"] == QUEUE_URL
    pending.refresh_from_db()
    assert pending.status == VerificationRequest.Status.APPROVED
    assert pending.decided_by == admin_user
    assert pending.decided_at is not None
    applicant.refresh_from_db()
    assert applicant.is_practitioner
    assert applicant.organisation.slug == "home-office"
    assert applicant.verification_method == VerificationMethod.APPROVAL
    assert applicant.job_title == "Programme manager"
    assert audit.entries_for(applicant).filter(action=audit.VERIFIED, user=admin_user).exists()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["alex@charity.example"]
    assert mail.outbox[0].subject == "[KX] You are now a verified practitioner"
    assert "Home Office" in mail.outbox[0].body
    assert "http://testserver/accounts/profile/" in mail.outbox[0].body


def test_no_email_is_sent_if_the_decision_is_rolled_back(
    admin_user, pending, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.verification_request_decide(
            verification_request=pending, approve=True, decided_by=admin_user
        )

    # The email waits for the commit: nothing has gone yet.
    assert mail.outbox == []
    assert len(callbacks) == 1


def test_refusing_requires_a_note(admin_client, pending):
    response = admin_client.post(decide_url(pending), {"decision": "refuse", "note": ""})

    assert response.status_code == 200
    assert response.context["form"].errors["note"] == ["Say why the request is refused."]
    assert "Say why the request is refused." in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == VerificationRequest.Status.PENDING
    assert mail.outbox == []


@pytest.mark.parametrize("decision", ["", "maybe"])
def test_a_missing_or_unknown_decision_is_an_error(admin_client, pending, decision):
    response = admin_client.post(decide_url(pending), {"decision": decision, "note": "x"})

    assert response.status_code == 200
    assert "decision" in response.context["form"].errors
    pending.refresh_from_db()
    assert pending.status == VerificationRequest.Status.PENDING


def test_refusing_records_the_note_and_emails_it(
    admin_client, admin_user, pending, applicant, django_capture_on_commit_callbacks
):
    note = "We could not confirm your role with the Home Office."
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(decide_url(pending), {"decision": "refuse", "note": note})

    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == VerificationRequest.Status.REFUSED
    assert pending.decision_note == note
    assert pending.decided_by == admin_user
    applicant.refresh_from_db()
    assert not applicant.is_practitioner
    entry = audit.entries_for(applicant).get(action=audit.VERIFICATION_REFUSED)
    assert entry.data["detail"] == note
    assert entry.user == admin_user
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["alex@charity.example"]
    assert "not approved" in mail.outbox[0].subject
    assert note in mail.outbox[0].body


def test_a_note_with_punctuation_reaches_the_email_as_written(
    admin_client, pending, django_capture_on_commit_callbacks
):
    note = "We couldn't confirm your role – ask your manager to email us & we'll look again."
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(decide_url(pending), {"decision": "refuse", "note": note})

    assert note in mail.outbox[0].body


def test_deciding_twice_is_refused(
    admin_client, pending, applicant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(decide_url(pending), {"decision": "approve", "note": ""})
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            decide_url(pending), {"decision": "refuse", "note": "Changed my mind"}, follow=True
        )

    assert "already been decided" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == VerificationRequest.Status.APPROVED
    assert pending.decision_note == ""
    applicant.refresh_from_db()
    assert applicant.is_practitioner
    assert mail.outbox == []
    assert not audit.ACCOUNT_LOG.entries().filter(action=audit.VERIFICATION_REFUSED).exists()
