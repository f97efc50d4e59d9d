"""registration_change_sessions: the same checks as registering, minus the own place."""

import pytest
from django.core.exceptions import ValidationError

from events.log_actions import entry_text, registration_log
from events.services import registration_cancel, registration_change_sessions, registration_create
from tests.factories import PractitionerFactory

from .factories import EventPageFactory, EventSessionFactory

pytestmark = pytest.mark.django_db


def test_a_delegate_can_swap_sessions_and_keep_their_own_place_in_a_full_one():
    event = EventPageFactory()
    breakout = EventSessionFactory(event=event, capacity=1)
    other = EventSessionFactory(event=event, start=breakout.end)
    person = PractitionerFactory()
    registration = registration_create(event=event, user=person, sessions=[breakout])

    registration_change_sessions(
        registration=registration, sessions=[breakout, other], actor=person
    )

    assert set(registration.sessions.all()) == {breakout, other}
    assert entry_text(registration_log(registration).last()) == "changed sessions"


def test_changing_to_a_full_session_is_refused_and_the_old_choice_kept():
    event = EventPageFactory()
    breakout = EventSessionFactory(event=event, title="Breakout A", capacity=1)
    other = EventSessionFactory(event=event, start=breakout.start)
    registration_create(event=event, user=PractitionerFactory(), sessions=[breakout])
    person = PractitionerFactory()
    registration = registration_create(event=event, user=person, sessions=[other])

    with pytest.raises(ValidationError, match="is full"):
        registration_change_sessions(registration=registration, sessions=[breakout], actor=person)

    registration.refresh_from_db()
    assert list(registration.sessions.all()) == [other]
    assert registration.calendar_sequence == 0


def test_a_cancelled_registration_cannot_change_sessions():
    event = EventPageFactory()
    session = EventSessionFactory(event=event)
    person = PractitionerFactory()
    registration = registration_create(event=event, user=person)
    registration_cancel(registration=registration, actor=person)

    with pytest.raises(ValidationError, match="cancelled"):
        registration_change_sessions(registration=registration, sessions=[session], actor=person)
