"""A registration's log lives in Wagtail's audit log, with labels and messages of its own."""

import pytest
from wagtail.log_actions import registry

from events.log_actions import (
    REGISTRATION_ACTIONS,
    entry_text,
    registration_action,
    registration_log,
    registration_logs,
)
from events.services import registration_cancel, registration_create
from tests.factories import PractitionerFactory

from .factories import EventPageFactory

pytestmark = pytest.mark.django_db


def test_every_action_is_registered_with_a_label():
    for action, (label, _message) in REGISTRATION_ACTIONS.items():
        assert registry.action_exists(registration_action(action))
        assert registry.get_action_label(registration_action(action)) == label


def test_registering_and_cancelling_are_logged_without_the_persons_name():
    person = PractitionerFactory(first_name="Priya", last_name="Shah")
    registration = registration_create(event=EventPageFactory(), user=person)
    registration_cancel(registration=registration, actor=person)
    entries = list(registration_log(registration))
    assert [(entry_text(e), e.user) for e in entries] == [
        ("registered: confirmed", person),
        ("cancelled", person),
    ]
    assert {e.label for e in entries} == {f"Registration {registration.pk}"}
    assert "Shah" not in str([e.data for e in entries])


def test_a_deleted_registration_takes_its_log_with_it():
    person = PractitionerFactory()
    registration_create(event=EventPageFactory(), user=person)
    assert registration_logs().exists()
    person.delete()
    assert not registration_logs().exists()
