"""Organisers' tools in the admin: delegates, exports, approval, check-in and the summary."""

import csv
import io
import uuid
from datetime import timedelta

import openpyxl
import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organisation, User
from events.log_actions import registration_action, registration_log
from events.models import Registration
from events.organising.services import (
    registration_approve,
    registration_check_in,
    registration_decline,
)
from events.permissions import can_organise
from events.services import registration_cancel, registration_create
from tests.factories import PractitionerFactory, staff_member, with_second_factor

from .factories import EventPageFactory, EventSessionFactory

pytestmark = pytest.mark.django_db

Status = Registration.Status


def staff_user(email, group):
    user = User.objects.create_user(email=email, password="x" * 14, first_name="Olu")
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    user.groups.add(Group.objects.get(name=group))
    with_second_factor(user)
    return user


@pytest.fixture
def organiser(db):
    return staff_user("organiser@kx.example", "Event organisers")


@pytest.fixture
def organiser_client(client, organiser):
    client.force_login(organiser)
    return client


def register(event, user=None, status=Status.CONFIRMED, **fields):
    """A registration made directly, without the services' checks (fast fixtures)."""
    user = user or PractitionerFactory()
    return Registration.objects.create(
        event=event,
        user=user,
        status=status,
        organisation=user.organisation,
        job_title=user.job_title,
        waiting_since=timezone.now() if status == Status.WAITING else None,
        **fields,
    )


def url(name, event, *args):
    if name.startswith("export_"):
        # Wagtail's ReportView exports the delegate list it shows, asked with ?export=.
        return url("delegates", event) + "?export=" + name.removeprefix("export_")
    return reverse(f"events_organising:{name}", args=[event.pk, *args])


# Permissions


@pytest.mark.parametrize(
    "name", ["delegates", "export_csv", "export_xlsx", "check_in", "summary", "cancel"]
)
def test_anonymous_visitors_are_sent_to_sign_in(client, event, name):
    response = client.get(url(name, event))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_practitioners_without_admin_access_are_kept_out(client, event):
    client.force_login(PractitionerFactory())
    response = client.get(url("delegates", event))
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert response["Location"] != url("delegates", event)


@pytest.mark.parametrize(
    "name", ["delegates", "export_csv", "export_xlsx", "check_in", "summary", "cancel"]
)
def test_editors_outside_event_organisers_are_refused(client, event, name):
    client.force_login(staff_user("editor@kx.example", "Editors"))
    assert client.get(url(name, event)).status_code == 403
    assert client.get(reverse("events_organising:index")).status_code == 403


def test_editors_cannot_approve(client):
    event = EventPageFactory(requires_approval=True)
    registration = register(event, status=Status.PENDING_APPROVAL)
    client.force_login(staff_user("editor@kx.example", "Editors"))
    response = client.post(url("decide", event, registration.pk, "approve"))
    assert response.status_code == 403
    registration.refresh_from_db()
    assert registration.status == Status.PENDING_APPROVAL


@pytest.mark.parametrize("name", ["delegates", "check_in", "summary", "cancel"])
def test_organisers_may_use_every_tool(organiser_client, event, name):
    assert organiser_client.get(url(name, event)).status_code == 200


def test_superusers_may_use_the_tools(client, event):
    user = User.objects.create_superuser(email="admin@kx.example", password="x" * 14)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    with_second_factor(user)
    client.force_login(user)
    assert client.get(url("delegates", event)).status_code == 200


def test_the_menu_lists_upcoming_events_for_organisers_only(organiser_client, client, event):
    past = EventPageFactory(
        start=timezone.now() - timedelta(days=10),
        registration_opens_at=timezone.now() - timedelta(days=40),
    )
    response = organiser_client.get(reverse("wagtailadmin_home"))
    assert "Event organising" in response.content.decode()
    response = organiser_client.get(reverse("events_organising:index"))
    assert event.title in response.content.decode()
    assert past.title not in response.content.decode()
    assert url("delegates", event) in response.content.decode()

    client.force_login(staff_user("editor@kx.example", "Editors"))
    assert "Event organising" not in client.get(reverse("wagtailadmin_home")).content.decode()


# Delegate list


def test_the_delegate_list_shows_delegates_and_their_needs(organiser_client, event):
    session = EventSessionFactory(event=event, title="Risk assessment tools")
    registration = register(
        event,
        PractitionerFactory(first_name="Priya", last_name="Shah"),
        dietary_needs="Vegan",
        access_needs="Hearing loop",
    )
    registration.sessions.set([session])
    content = organiser_client.get(url("delegates", event)).content.decode()
    for text in ["Priya Shah", "Kent Police", "Vegan", "Hearing loop", "Risk assessment tools"]:
        assert text in content


def test_the_delegate_list_searches_and_filters(organiser_client, event):
    register(event, PractitionerFactory(first_name="Priya", last_name="Shah"))
    register(
        event,
        PractitionerFactory(
            first_name="Tom",
            last_name="Jones",
            email="tom.jones@dyfed-powys.police.uk",
            organisation=Organisation.objects.get(slug="dyfed-powys-police"),
        ),
        status=Status.WAITING,
    )

    def names(**params):
        response = organiser_client.get(url("delegates", event), params)
        return {r.user.last_name for r in response.context["page_obj"].object_list}

    assert names() == {"Shah", "Jones"}
    assert names(q="priya") == {"Shah"}
    assert names(q="Priya Shah") == {"Shah"}
    assert names(q="dyfed") == {"Jones"}
    assert names(q="@kent.police.uk") == {"Shah"}
    assert names(status="waiting") == {"Jones"}
    assert names(status="confirmed", q="jones") == set()


def test_the_delegate_list_is_paginated(organiser_client, event):
    for _ in range(55):
        register(event)
    response = organiser_client.get(url("delegates", event))
    assert len(response.context["page_obj"].object_list) == 50
    response = organiser_client.get(url("delegates", event), {"p": 2})
    assert len(response.context["page_obj"].object_list) == 5


def test_the_delegate_list_runs_a_fixed_number_of_queries(organiser_client, event):
    sessions = [EventSessionFactory(event=event), EventSessionFactory(event=event)]

    def add(count):
        for _ in range(count):
            register(event).sessions.set(sessions)

    def queries():
        organiser_client.get(url("delegates", event))  # Warm per-user caches.
        with CaptureQueriesContext(connection) as captured:
            response = organiser_client.get(url("delegates", event))
        assert response.status_code == 200
        return len(captured)

    add(5)
    few = queries()
    add(55)
    assert queries() == few


# Exports


def test_csv_export_follows_the_filters_and_defuses_formulas(organiser_client, event):
    register(
        event,
        PractitionerFactory(first_name="Priya", last_name="Shah"),
        dietary_needs='=HYPERLINK("http://evil.example")',
        access_needs="+1 wheelchair",
    )
    register(event, PractitionerFactory(last_name="Waiting"), status=Status.WAITING)
    response = organiser_client.get(
        url("delegates", event), {"status": "confirmed", "export": "csv"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    assert ".csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    header, *delegates = rows
    assert header[:3] == ["Name", "Email", "Organisation"]
    assert len(delegates) == 1
    row = dict(zip(header, delegates[0], strict=True))
    assert row["Name"] == "Priya Shah"
    assert row["Organisation"] == "Kent Police"
    assert row["Status"] == "Confirmed"
    assert row["Ticket"] == Registration.objects.get(user__last_name="Shah").short_code
    assert row["Dietary needs"] == '\'=HYPERLINK("http://evil.example")'
    assert row["Access needs"] == "'+1 wheelchair"


def test_xlsx_export_holds_the_same_list(organiser_client, event):
    register(
        event,
        PractitionerFactory(first_name="Priya", last_name="Shah"),
        dietary_needs="@SUM(A1:A2)",
        access_needs="-2",
    )
    register(event, PractitionerFactory(first_name="Tom", last_name="Jones"))
    response = organiser_client.get(url("delegates", event), {"q": "shah", "export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert ".xlsx" in response["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(response.getvalue()))
    rows = list(workbook.active.iter_rows(values_only=True))
    header, *delegates = rows
    assert len(delegates) == 1
    row = dict(zip(header, delegates[0], strict=True))
    assert row["Name"] == "Priya Shah"
    assert row["Dietary needs"] == "'@SUM(A1:A2)"
    assert row["Access needs"] == "'-2"
    assert all(cell.data_type != "f" for cell in workbook.active[2])


# Approve and decline


@pytest.fixture
def approval_event(db):
    return EventPageFactory(requires_approval=True, capacity=1)


def test_approving_confirms_and_sends_the_calendar_file(
    organiser_client, organiser, approval_event, django_capture_on_commit_callbacks
):
    registration = registration_create(event=approval_event, user=PractitionerFactory())
    assert registration.status == Status.PENDING_APPROVAL
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_client.post(url("decide", approval_event, registration.pk, "approve"))
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.status == Status.CONFIRMED
    [message] = mail.outbox
    assert message.to == [registration.user.email]
    assert "approved" in message.subject
    assert message.attachments[0][0] == "event.ics"
    assert (
        registration_log(registration)
        .filter(action=registration_action("approved"), user=organiser)
        .exists()
    )


def test_declining_frees_the_place_for_the_waiting_list(
    organiser_client, approval_event, django_capture_on_commit_callbacks
):
    pending = registration_create(event=approval_event, user=PractitionerFactory())
    waiting = registration_create(event=approval_event, user=PractitionerFactory())
    assert waiting.status == Status.WAITING
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        organiser_client.post(url("decide", approval_event, pending.pk, "decline"))
    pending.refresh_from_db()
    waiting.refresh_from_db()
    assert pending.status == Status.DECLINED
    assert waiting.status == Status.OFFERED
    assert {(m.to[0], "not approved" in m.subject) for m in mail.outbox} == {
        (pending.user.email, True),
        (waiting.user.email, False),
    }


def test_only_pending_registrations_can_be_approved_or_declined(organiser, event):
    registration = register(event)
    with pytest.raises(ValidationError):
        registration_approve(registration=registration, actor=organiser)
    with pytest.raises(ValidationError):
        registration_decline(registration=registration, actor=organiser)
    registration.refresh_from_db()
    assert registration.status == Status.CONFIRMED


def test_the_delegate_list_offers_approval_for_pending_registrations(organiser_client):
    event = EventPageFactory(requires_approval=True)
    registration = register(event, status=Status.PENDING_APPROVAL)
    content = organiser_client.get(url("delegates", event)).content.decode()
    assert url("decide", event, registration.pk, "approve") in content
    assert url("decide", event, registration.pk, "decline") in content


# Check-in


def test_check_in_by_ticket_code(organiser_client, organiser, event):
    registration = register(event, PractitionerFactory(first_name="Priya", last_name="Shah"))
    response = organiser_client.post(
        url("check_in", event), {"ticket_code": f" {registration.ticket_code} "}, follow=True
    )
    registration.refresh_from_db()
    assert registration.checked_in_at is not None
    assert "Priya Shah is checked in." in response.content.decode()
    assert (
        registration_log(registration)
        .filter(action=registration_action("checked_in"), user=organiser)
        .exists()
    )


def test_a_second_scan_keeps_the_first_time(organiser_client, organiser, event):
    registration = register(event, PractitionerFactory(first_name="Priya", last_name="Shah"))
    first = timezone.now() - timedelta(minutes=30)
    result = registration_check_in(
        event=event, ticket_code=str(registration.ticket_code), actor=organiser, now=first
    )
    assert not result.already_checked_in
    response = organiser_client.post(
        url("check_in", event), {"ticket_code": str(registration.ticket_code)}, follow=True
    )
    registration.refresh_from_db()
    assert registration.checked_in_at == first
    expected = f"already checked in at {timezone.localtime(first):%H:%M}"
    assert expected in response.content.decode()
    assert (
        registration_log(registration).filter(action=registration_action("checked_in")).count()
        == 1
    )


def test_an_unknown_or_malformed_code_is_an_error(organiser_client, event):
    other_event_registration = register(EventPageFactory())
    for code in [str(uuid.uuid4()), str(other_event_registration.ticket_code)]:
        response = organiser_client.post(
            url("check_in", event), {"ticket_code": code}, follow=True
        )
        assert "No ticket with this code for this event." in response.content.decode()
    response = organiser_client.post(url("check_in", event), {"ticket_code": "hello"}, follow=True)
    assert "That is not a ticket code." in response.content.decode()
    other_event_registration.refresh_from_db()
    assert other_event_registration.checked_in_at is None


def test_a_cancelled_registration_cannot_check_in(organiser_client, event):
    registration = registration_create(event=event, user=PractitionerFactory())
    registration_cancel(registration=registration, actor=registration.user)
    response = organiser_client.post(
        url("check_in", event), {"ticket_code": str(registration.ticket_code)}, follow=True
    )
    registration.refresh_from_db()
    assert registration.checked_in_at is None
    assert "cannot be checked in" in response.content.decode()


def test_check_in_finds_delegates_by_name(organiser_client, event):
    registration = register(event, PractitionerFactory(first_name="Priya", last_name="Shah"))
    register(event, PractitionerFactory(first_name="Tom", last_name="Jones"))
    response = organiser_client.get(url("check_in", event), {"q": "shah"})
    assert [r.pk for r in response.context["matches"]] == [registration.pk]
    assert str(registration.ticket_code) in response.content.decode()


# Summary


def test_the_summary_counts_registrations_and_organisations(organiser_client, organiser):
    event = EventPageFactory(capacity=100)
    kent = Organisation.objects.get(slug="kent-police")
    dyfed = Organisation.objects.get(slug="dyfed-powys-police")
    probation = Organisation.objects.filter(kind="probation_region").first()
    checked_in = register(event, PractitionerFactory(organisation=kent))
    register(event, PractitionerFactory(organisation=kent))
    register(event, PractitionerFactory(organisation=dyfed))
    register(event, PractitionerFactory(organisation=probation))
    register(event, status=Status.PENDING_APPROVAL)
    register(event, status=Status.WAITING)
    register(event, status=Status.WAITING)
    register(event, status=Status.OFFERED)
    # Cancelled delegates do not count towards the organisations represented.
    register(
        event,
        PractitionerFactory(organisation=Organisation.objects.get(slug="merseyside-police")),
        status=Status.CANCELLED,
    )
    registration_check_in(event=event, ticket_code=checked_in.ticket_code, actor=organiser)

    response = organiser_client.get(url("summary", event))
    counts = response.context["counts"]
    assert counts["confirmed"] == 4
    assert counts["pending"] == 1
    assert counts["waiting"] == 2
    assert counts["offered"] == 1
    assert counts["cancelled"] == 1
    assert counts["checked_in"] == 1
    forces = response.context["forces"]
    assert [o.slug for o in forces["organisations"]] == sorted(
        ["kent-police", "dyfed-powys-police"],
        key=lambda slug: Organisation.objects.get(slug=slug).name,
    )
    content = response.content.decode()
    assert "2 of 43 forces" in content
    assert "1 of 12 probation regions" in content
    assert probation.name in content
    assert "Merseyside" not in content


# Every screen asks Wagtail's permission policy for events.organise_events.

SCREENS = [
    ("events_organising:index", False),
    ("events_organising:delegates", True),
    ("events_organising:check_in", True),
    ("events_organising:message", True),
    ("events_organising:cancel", True),
    ("events_organising:summary", True),
    ("events_feedback:index", False),
    ("events_feedback:report", True),
]


def screen_url(name, per_event, event):
    return reverse(name, args=[event.pk] if per_event else [])


@pytest.mark.parametrize(("name", "per_event"), SCREENS)
@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", 302),
        ("member", 302),
        ("organiser without second factor", 302),
        ("moderator", 403),
        ("organiser", 200),
    ],
)
def test_each_screen_is_for_organisers_only(client, event, name, per_event, who, expected):
    if who == "member":
        client.force_login(PractitionerFactory())
    elif who == "organiser without second factor":
        client.force_login(staff_member("Event organisers", second_factor=False))
    elif who == "moderator":
        client.force_login(staff_member("Moderators"))
    elif who == "organiser":
        client.force_login(staff_member("Event organisers"))
    response = client.get(screen_url(name, per_event, event))
    assert response.status_code == expected
    if expected == 302:
        # To sign in, to set up a second factor, or away from the admin: never the screen.
        assert response["Location"] != screen_url(name, per_event, event)


def test_the_permission_not_the_group_name_lets_organisers_in(client, event):
    user = staff_member("Moderators")
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="events", codename="organise_events")
    )
    client.force_login(user)
    assert can_organise(user)
    assert client.get(url("delegates", event)).status_code == 200
    Group.objects.get(name="Event organisers").permissions.clear()
    organiser = staff_member("Event organisers")
    assert not can_organise(organiser)
