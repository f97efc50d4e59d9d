"""Issue 12: a ticket carries a short code to type at the door (the certificates' alphabet, no
0/O or 1/I); its QR code holds it. Check-in takes it in any case, with or without spaces and
dashes, and still takes the UUID that tickets showed before. The UUID stays: calendar UIDs are
built from it.
"""

import re

import pytest
import segno
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from events.certificates import REFERENCE_ALPHABET
from events.models import Registration
from events.organising.services import parse_ticket_code, registration_check_in
from events.services import registration_create
from tests.factories import PractitionerFactory, staff_member

from .factories import EventPageFactory

SHORT_CODE = re.compile(rf"^[{REFERENCE_ALPHABET}]{{4}}-[{REFERENCE_ALPHABET}]{{4}}$")


@pytest.fixture
def organiser(db):
    return staff_member("Event organisers")


@pytest.mark.django_db
def test_each_registration_gets_its_own_short_code_from_the_certificates_alphabet():
    event = EventPageFactory(capacity=40)
    registrations = [
        registration_create(event=event, user=person)
        for person in PractitionerFactory.create_batch(30)
    ]

    codes = [registration.short_code for registration in registrations]
    assert all(SHORT_CODE.match(code) for code in codes), codes
    assert len(set(codes)) == len(codes)
    # Random, not a counter: consecutive registrations share no more than chance would give.
    assert len({code[:4] for code in codes}) > 25


@pytest.mark.django_db
def test_the_calendar_uid_still_comes_from_the_uuid():
    registration = registration_create(event=EventPageFactory(), user=PractitionerFactory())
    assert registration.calendar_uid == f"registration-{registration.ticket_code}@kx"


@pytest.mark.parametrize(
    "typed",
    [
        "{code}",
        "{lower}",
        " {plain} ",
        "{spaced}",
        "{lower_plain}",
        "{en_dash}",
    ],
)
@pytest.mark.django_db
def test_check_in_takes_the_short_code_however_it_is_typed(typed, organiser):
    event = EventPageFactory()
    registration = registration_create(event=event, user=PractitionerFactory())
    code = registration.short_code
    plain = code.replace("-", "")
    text = typed.format(
        code=code,
        lower=code.lower(),
        plain=plain,
        spaced=" ".join(plain),
        lower_plain=plain.lower(),
        en_dash=code.replace("-", " \u2013 "),
    )

    result = registration_check_in(event=event, ticket_code=text, actor=organiser)

    assert result.registration == registration
    assert not result.already_checked_in
    registration.refresh_from_db()
    assert registration.checked_in_at is not None


@pytest.mark.django_db
def test_check_in_still_takes_the_uuid_of_a_ticket_shown_before(organiser):
    event = EventPageFactory()
    registration = registration_create(event=event, user=PractitionerFactory())

    result = registration_check_in(
        event=event, ticket_code=f" {registration.ticket_code} ", actor=organiser
    )

    assert result.registration == registration


@pytest.mark.django_db
def test_a_short_code_from_another_event_is_not_found(organiser):
    event = EventPageFactory()
    elsewhere = registration_create(event=EventPageFactory(), user=PractitionerFactory())

    with pytest.raises(ValidationError, match="No ticket with this code for this event"):
        registration_check_in(event=event, ticket_code=elsewhere.short_code, actor=organiser)


@pytest.mark.parametrize("text", ["", "hello", "ABCD-EFG", "ABCD-EFGHJ", "0BCD-EFGH", "IBCD-EFGH"])
def test_what_cannot_be_a_code_is_refused_before_any_lookup(text):
    # Too short, too long, or with a letter the alphabet leaves out as easy to misread.
    with pytest.raises(ValidationError, match="That is not a ticket code"):
        parse_ticket_code(text)


@pytest.mark.django_db
def test_the_organisers_check_in_page_takes_a_typed_short_code(client, organiser):
    event = EventPageFactory()
    person = PractitionerFactory(first_name="Priya", last_name="Shah")
    registration = registration_create(event=event, user=person)
    client.force_login(organiser)

    response = client.post(
        f"/admin/events/{event.pk}/check-in/",
        {"ticket_code": registration.short_code.lower().replace("-", " ")},
        follow=True,
    )

    assert "Priya Shah is checked in." in response.content.decode()


def qr_path(text, *, micro=False):
    """The modules of ``text``'s QR code, as the path an SVG draws them with."""
    symbol = segno.make(text, error="m", micro=micro)
    assert symbol.is_micro == micro
    svg = symbol.svg_inline(border=4, lineclass=None)
    return re.search(r' d="([^"]+)"', svg).group(1)


@pytest.mark.django_db
def test_the_ticket_shows_the_short_code_and_its_qr_code_holds_it(client):
    event = EventPageFactory()
    person = PractitionerFactory()
    registration = registration_create(event=event, user=person)
    client.force_login(person)

    page = client.get(f"/my-events/{registration.pk}/ticket/").content.decode()

    assert registration.short_code in page
    assert str(registration.ticket_code) not in page
    assert qr_path(registration.short_code) in page
    assert qr_path(str(registration.ticket_code)) not in page
    # A full QR code: so short a text would fit a Micro QR code, which cameras do not read.
    assert qr_path(registration.short_code, micro=True) not in page
    assert f'aria-label="QR code for checking in: ticket {registration.short_code}"' in page


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


# Schema changes on SQLite cannot run inside the test's transaction.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_gives_existing_registrations_distinct_codes_and_keeps_their_uuids():
    old_apps = _migrate([("events", "0006_one_registration_per_person_per_event")])
    try:
        OldRegistration = old_apps.get_model("events", "Registration")
        event = EventPageFactory()
        people = PractitionerFactory.create_batch(25)
        uuids = {
            OldRegistration.objects.create(
                event_id=event.pk, user_id=person.pk, status="confirmed"
            ).pk: None
            for person in people
        }
        for pk, ticket_code in OldRegistration.objects.values_list("pk", "ticket_code"):
            uuids[pk] = ticket_code

        _migrate([("events", "0007_registration_short_code")])

        rows = list(Registration.objects.values_list("pk", "ticket_code", "short_code"))
        assert len(rows) == 25
        assert {pk: ticket_code for pk, ticket_code, _code in rows} == uuids
        codes = [code for _pk, _ticket_code, code in rows]
        assert all(SHORT_CODE.match(code) for code in codes), codes
        assert len(set(codes)) == len(codes)
    finally:
        executor = MigrationExecutor(connection)
        _migrate(executor.loader.graph.leaf_nodes())
