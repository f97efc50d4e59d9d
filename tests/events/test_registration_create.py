"""registration_create: places, the waiting list, approval and every reason to refuse."""

from datetime import timedelta

import icalendar
import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import OrganisationKind
from events.log_actions import entry_text, registration_log, registration_logs
from events.models import Registration
from events.services import places_taken, registration_cancel, registration_create
from kx_site.audience import Audience
from tests.factories import PractitionerFactory, ProbationPractitionerFactory, UserFactory

from .factories import EventPageFactory, EventSessionFactory

pytestmark = pytest.mark.django_db

Status = Registration.Status


def test_places_are_confirmed_while_they_last_then_people_wait_in_arrival_order():
    event = EventPageFactory(capacity=3)
    people = PractitionerFactory.create_batch(6)
    start = timezone.now()

    registrations = [
        registration_create(event=event, user=person, now=start + timedelta(seconds=i))
        for i, person in enumerate(people)
    ]

    assert [r.status for r in registrations] == [Status.CONFIRMED] * 3 + [Status.WAITING] * 3
    assert [r.waiting_since for r in registrations[:3]] == [None] * 3
    waiting = Registration.objects.filter(event=event, status=Status.WAITING).order_by(
        "waiting_since", "pk"
    )
    assert [r.user for r in waiting] == people[3:]
    assert [r.waiting_since for r in waiting] == [start + timedelta(seconds=i) for i in (3, 4, 5)]
    assert places_taken(event) == 3


def test_registration_keeps_the_delegates_details():
    event = EventPageFactory()
    person = PractitionerFactory(job_title="Detective sergeant")

    registration = registration_create(
        event=event,
        user=person,
        dietary_needs="Vegetarian",
        access_needs="Step-free access",
        on_delegate_list=True,
    )

    registration.refresh_from_db()
    assert registration.organisation.slug == "kent-police"
    assert registration.job_title == "Detective sergeant"
    assert registration.dietary_needs == "Vegetarian"
    assert registration.access_needs == "Step-free access"
    assert registration.on_delegate_list is True


def test_with_approval_a_registration_waits_for_the_organiser_and_holds_a_place():
    event = EventPageFactory(capacity=1, requires_approval=True)

    first = registration_create(event=event, user=PractitionerFactory())
    second = registration_create(event=event, user=PractitionerFactory())

    assert first.status == Status.PENDING_APPROVAL
    assert second.status == Status.WAITING
    assert places_taken(event) == 1


@pytest.mark.parametrize(
    ("opens_in", "closes_in"),
    [
        pytest.param(timedelta(hours=1), timedelta(days=2), id="before it opens"),
        pytest.param(-timedelta(days=2), -timedelta(seconds=1), id="after it closes"),
        pytest.param(-timedelta(days=2), timedelta(0), id="at the moment it closes"),
    ],
)
def test_closed_registration_is_refused(opens_in, closes_in):
    now = timezone.now()
    event = EventPageFactory(
        registration_opens_at=now + opens_in, registration_closes_at=now + closes_in
    )

    with pytest.raises(ValidationError, match="closed"):
        registration_create(event=event, user=PractitionerFactory(), now=now)

    assert not Registration.objects.exists()


def test_registration_opens_at_its_opening_time():
    now = timezone.now()
    event = EventPageFactory(registration_opens_at=now)

    registration = registration_create(event=event, user=PractitionerFactory(), now=now)

    assert registration.status == Status.CONFIRMED


@pytest.mark.parametrize("capacity", [1, 0], ids=["with a place", "on the waiting list"])
def test_registering_twice_is_refused(capacity):
    event = EventPageFactory(capacity=capacity)
    person = PractitionerFactory()
    registration_create(event=event, user=person)

    with pytest.raises(ValidationError, match="already registered"):
        registration_create(event=event, user=person)

    assert Registration.objects.filter(event=event, user=person).count() == 1


def test_after_cancelling_a_person_may_register_again():
    event = EventPageFactory()
    person = PractitionerFactory()
    registration_cancel(registration=registration_create(event=event, user=person), actor=person)

    again = registration_create(event=event, user=person)

    assert again.status == Status.CONFIRMED
    assert places_taken(event) == 1


@pytest.mark.parametrize(
    ("event_fields", "make_user"),
    [
        pytest.param({"audience": Audience.PRACTITIONERS}, UserFactory, id="not a practitioner"),
        pytest.param(
            {"audience": Audience.REGISTERED},
            lambda: UserFactory(email_verified=False),
            id="email not verified",
        ),
        pytest.param(
            {
                "audience": Audience.RESTRICTED,
                "restricted_to_kinds": [OrganisationKind.POLICE_FORCE],
            },
            ProbationPractitionerFactory,
            id="probation at a police-only event",
        ),
    ],
)
def test_someone_who_may_not_see_the_event_may_not_register(event_fields, make_user):
    event = EventPageFactory(**event_fields)

    with pytest.raises(PermissionDenied):
        registration_create(event=event, user=make_user())

    assert not Registration.objects.exists()


def test_a_police_only_event_accepts_police_officers():
    event = EventPageFactory(
        audience=Audience.RESTRICTED, restricted_to_kinds=[OrganisationKind.POLICE_FORCE]
    )

    registration = registration_create(event=event, user=PractitionerFactory())

    assert registration.status == Status.CONFIRMED


def test_chosen_sessions_are_recorded():
    event = EventPageFactory()
    morning = EventSessionFactory(event=event, start=event.start)
    afternoon = EventSessionFactory(event=event, start=event.start + timedelta(hours=3))

    registration = registration_create(
        event=event, user=PractitionerFactory(), sessions=[morning, afternoon]
    )

    assert set(registration.sessions.all()) == {morning, afternoon}


@pytest.mark.parametrize("capacity", [5, 0], ids=["with a place", "on the waiting list"])
def test_sessions_from_another_event_are_refused(capacity):
    event = EventPageFactory(capacity=capacity)
    elsewhere = EventSessionFactory(event=EventPageFactory())

    with pytest.raises(ValidationError) as refusal:
        registration_create(event=event, user=PractitionerFactory(), sessions=[elsewhere])

    assert "sessions" in refusal.value.message_dict
    assert not Registration.objects.exists()


@pytest.mark.parametrize("capacity", [5, 0], ids=["with a place", "on the waiting list"])
def test_overlapping_sessions_are_refused(capacity):
    event = EventPageFactory(capacity=capacity)
    first = EventSessionFactory(event=event, title="Risk", start=event.start)
    second = EventSessionFactory(
        event=event, title="Disclosure", start=event.start + timedelta(minutes=30)
    )

    with pytest.raises(ValidationError, match="run at the same time"):
        registration_create(event=event, user=PractitionerFactory(), sessions=[second, first])

    assert not Registration.objects.exists()


def test_sessions_that_meet_end_to_start_do_not_overlap():
    event = EventPageFactory()
    first = EventSessionFactory(event=event, start=event.start)
    second = EventSessionFactory(event=event, start=first.end)

    registration = registration_create(
        event=event, user=PractitionerFactory(), sessions=[first, second]
    )

    assert registration.sessions.count() == 2


def test_a_full_session_is_refused_and_nothing_is_created(sent_templates):
    event = EventPageFactory()
    workshop = EventSessionFactory(event=event, title="Breakout A", capacity=1)
    registration_create(event=event, user=PractitionerFactory(), sessions=[workshop])
    latecomer = PractitionerFactory()
    sent_templates.clear()

    with pytest.raises(ValidationError, match=r"Breakout A.*is full"):
        registration_create(event=event, user=latecomer, sessions=[workshop])

    assert not Registration.objects.filter(user=latecomer).exists()
    assert registration_logs().count() == 1
    assert sent_templates == []
    assert places_taken(event) == 1


def test_a_cancelled_place_in_a_session_frees_the_session():
    event = EventPageFactory()
    workshop = EventSessionFactory(event=event, capacity=1)
    first = PractitionerFactory()
    registration = registration_create(event=event, user=first, sessions=[workshop])
    registration_cancel(registration=registration, actor=first)

    second = registration_create(event=event, user=PractitionerFactory(), sessions=[workshop])

    assert list(second.sessions.all()) == [workshop]


@pytest.mark.parametrize(
    ("capacity", "requires_approval", "action"),
    [
        (1, False, "registered: confirmed"),
        (1, True, "registered: pending_approval"),
        (0, False, "registered: waiting"),
    ],
)
def test_each_registration_writes_an_audit_log_entry(capacity, requires_approval, action):
    event = EventPageFactory(capacity=capacity, requires_approval=requires_approval)
    person = PractitionerFactory()

    registration = registration_create(event=event, user=person)

    assert [(entry_text(e), e.user) for e in registration_log(registration)] == [(action, person)]


def test_a_confirmed_delegate_gets_a_confirmation_with_a_calendar_file(
    sent_templates, django_capture_on_commit_callbacks
):
    event = EventPageFactory(title="National MAPPA conference")
    person = PractitionerFactory()

    with django_capture_on_commit_callbacks(execute=True):
        registration = registration_create(event=event, user=person)

    assert sent_templates == [("events/confirmed", person.email)]
    [message] = mail.outbox
    assert message.to == [person.email]
    assert message.subject.startswith("[KX] ")
    assert "National MAPPA conference" in message.subject
    [attachment] = message.attachments
    filename, content, mimetype = attachment
    assert filename.endswith(".ics")
    assert mimetype == "text/calendar"
    [ics_part] = [p for p in message.message().walk() if p.get_filename() == filename]
    assert ics_part.get_content_type() == "text/calendar"
    calendar = icalendar.Calendar.from_ical(content)
    [entry] = calendar.walk("VEVENT")
    assert str(entry["uid"]) == registration.calendar_uid
    assert str(entry["summary"]) == "National MAPPA conference"


@pytest.mark.parametrize(
    ("capacity", "requires_approval", "template_name"),
    [(0, False, "events/waiting_list"), (1, True, "events/pending_approval")],
)
def test_waiting_and_pending_registrations_get_their_own_email_without_a_calendar_file(
    capacity, requires_approval, template_name, sent_templates, django_capture_on_commit_callbacks
):
    event = EventPageFactory(capacity=capacity, requires_approval=requires_approval)
    person = PractitionerFactory()

    with django_capture_on_commit_callbacks(execute=True):
        registration_create(event=event, user=person)

    assert sent_templates == [(template_name, person.email)]
    [message] = mail.outbox
    assert message.to == [person.email]
    assert event.title in message.subject
    assert message.attachments == []


def test_a_refused_registration_sends_no_email(django_capture_on_commit_callbacks):
    event = EventPageFactory(
        registration_closes_at=timezone.now() - timedelta(minutes=1),
        registration_opens_at=timezone.now() - timedelta(days=3),
    )

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        registration_create(event=event, user=PractitionerFactory())

    assert mail.outbox == []


def test_an_unverified_email_address_may_not_register_even_for_a_public_event():
    event = EventPageFactory(audience=Audience.PUBLIC)

    with pytest.raises(ValidationError, match="Confirm your email address"):
        registration_create(event=event, user=UserFactory(email_verified=False))

    assert not Registration.objects.exists()


def test_a_practitioner_whose_verification_has_lapsed_must_confirm_it_first(settings):
    event = EventPageFactory()
    lapsed = PractitionerFactory(
        verified_at=timezone.now() - settings.KX_VERIFICATION_VALID_FOR - timedelta(days=1)
    )

    with pytest.raises(ValidationError, match="Confirm your organisation"):
        registration_create(event=event, user=lapsed)

    assert not Registration.objects.exists()


def test_places_added_later_go_to_those_already_waiting_before_newcomers():
    event = EventPageFactory(capacity=1)
    start = timezone.now()
    registration_create(event=event, user=PractitionerFactory(), now=start)
    waiting = registration_create(
        event=event, user=PractitionerFactory(), now=start + timedelta(seconds=1)
    )
    event.capacity = 2
    event.save()

    newcomer = registration_create(
        event=event, user=PractitionerFactory(), now=start + timedelta(seconds=2)
    )

    assert Registration.objects.get(pk=waiting.pk).status == Status.OFFERED
    assert newcomer.status == Status.WAITING
    assert places_taken(event) == 2
