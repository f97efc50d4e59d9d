"""Quotas: at most so many places per organisation until the release time, then open to all."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import OrganisationKind
from events.models import EventQuota, Registration
from events.services import (
    offer_accept,
    places_taken,
    quota_released_places_offer,
    registration_cancel,
    registration_create,
)
from tests.factories import PractitionerFactory, ProbationPractitionerFactory, seeded_organisation

from .factories import EventPageFactory

pytestmark = pytest.mark.django_db

Status = Registration.Status


def kent():
    return PractitionerFactory()


def surrey():
    return PractitionerFactory(organisation=seeded_organisation("surrey-police"))


@pytest.fixture
def event():
    """Five places; each police force may hold two of them for the next ten days."""
    event = EventPageFactory(
        capacity=5, quotas_release_at=timezone.now() + timedelta(days=10), offer_hold_hours=24
    )
    EventQuota.objects.create(
        event=event, organisation_kind=OrganisationKind.POLICE_FORCE, places=2
    )
    return event


def register(event, user, minutes):
    return registration_create(
        event=event,
        user=user,
        now=timezone.now() - timedelta(hours=1) + timedelta(minutes=minutes),
    )


def status_of(registration):
    return Registration.objects.get(pk=registration.pk).status


def test_a_registration_over_the_quota_waits_and_says_why(
    event, sent_templates, mailoutbox, django_capture_on_commit_callbacks
):
    register(event, kent(), 0)
    register(event, kent(), 1)

    with django_capture_on_commit_callbacks(execute=True):
        third = register(event, kent(), 2)

    assert third.status == Status.WAITING
    assert third.quota_full is True
    assert places_taken(event) == 2
    assert "Kent Police has used up its places" in mailoutbox[-1].body
    assert "when unused places open to all" in mailoutbox[-1].body


def test_another_organisation_still_gets_a_place_while_one_is_at_its_quota(event):
    register(event, kent(), 0)
    register(event, kent(), 1)
    assert register(event, kent(), 2).status == Status.WAITING

    assert register(event, surrey(), 3).status == Status.CONFIRMED
    # No quota for probation regions: only the event's capacity limits them.
    assert register(event, ProbationPractitionerFactory(), 4).status == Status.CONFIRMED


def test_a_quota_for_a_named_organisation_wins_over_the_one_for_its_kind(event):
    EventQuota.objects.create(
        event=event, organisation=seeded_organisation("kent-police"), places=3
    )

    statuses = [register(event, kent(), n).status for n in range(4)]

    assert statuses == [Status.CONFIRMED] * 3 + [Status.WAITING]


def test_after_the_release_time_the_quota_no_longer_applies(event):
    event.quotas_release_at = timezone.now() - timedelta(minutes=1)
    event.save()

    statuses = [registration_create(event=event, user=kent()).status for _ in range(4)]

    assert statuses == [Status.CONFIRMED] * 4


def test_a_full_event_sends_people_to_wait_because_it_is_full_not_for_the_quota(event):
    event.capacity = 2
    event.save()
    register(event, surrey(), 0)
    register(event, ProbationPractitionerFactory(), 1)

    waiting = register(event, kent(), 2)

    assert waiting.status == Status.WAITING
    assert waiting.quota_full is False


def test_freed_places_skip_people_whose_quota_is_full_but_keep_their_order(event):
    event.capacity = 3
    event.save()
    kent_1 = register(event, kent(), 0)
    register(event, kent(), 1)
    surrey_1 = register(event, surrey(), 2)
    kent_waiting = register(event, kent(), 3)  # quota full
    surrey_waiting = register(event, surrey(), 4)  # event full

    registration_cancel(registration=surrey_1, actor=surrey_1.user)

    # Kent's two places are still held, so the place skips Kent's person, who stays first.
    assert status_of(kent_waiting) == Status.WAITING
    assert status_of(surrey_waiting) == Status.OFFERED

    offer_accept(
        registration=Registration.objects.get(pk=surrey_waiting.pk), user=surrey_waiting.user
    )
    registration_cancel(registration=kent_1, actor=kent_1.user)

    # A Kent place came free: Kent's quota has room again, and the event has a place.
    assert status_of(kent_waiting) == Status.OFFERED


def test_cancelling_frees_quota_for_the_same_organisation(event):
    first = register(event, kent(), 0)
    register(event, kent(), 1)
    waiting = register(event, kent(), 2)

    registration_cancel(registration=first, actor=first.user)

    assert status_of(waiting) == Status.OFFERED
    assert places_taken(event) == 2


def test_an_offered_place_counts_against_the_quota(event):
    event.capacity = 3
    event.save()
    register(event, kent(), 0)
    surrey_1 = register(event, surrey(), 1)
    surrey_2 = register(event, surrey(), 2)
    kent_2 = register(event, kent(), 3)  # event full
    kent_3 = register(event, kent(), 4)  # event full

    registration_cancel(registration=surrey_2, actor=surrey_2.user)
    assert status_of(kent_2) == Status.OFFERED

    # Kent holds one confirmed place and one offered: its quota of two is used up.
    registration_cancel(registration=surrey_1, actor=surrey_1.user)
    assert status_of(kent_3) == Status.WAITING
    assert places_taken(event) == 2


def test_when_the_quotas_end_the_held_back_places_are_offered_in_order(event):
    people = [register(event, kent(), n) for n in range(4)]
    assert [p.status for p in people] == [Status.CONFIRMED] * 2 + [Status.WAITING] * 2
    later = event.quotas_release_at + timedelta(minutes=1)

    assert quota_released_places_offer(now=later) == 2
    assert [status_of(p) for p in people[2:]] == [Status.OFFERED, Status.OFFERED]
    # Running it again offers nothing more.
    assert quota_released_places_offer(now=later) == 0


def test_the_cron_command_offers_places_once_quotas_end(event, capsys):
    people = [register(event, kent(), n) for n in range(3)]
    event.quotas_release_at = timezone.now() - timedelta(minutes=1)
    event.save()

    call_command("expire_offers")

    assert status_of(people[2]) == Status.OFFERED
    assert "1 place offered after quotas ended." in capsys.readouterr().out


def test_before_release_the_cron_command_offers_nothing(event):
    people = [register(event, kent(), n) for n in range(3)]

    assert quota_released_places_offer() == 0
    assert status_of(people[2]) == Status.WAITING


def test_the_register_page_explains_a_full_quota(client, event):
    register(event, kent(), 0)
    register(event, kent(), 1)
    person = kent()
    client.force_login(person)

    response = client.post(f"/my-events/register/{event.pk}/", {}, follow=True)

    assert response.status_code == 200
    content = response.content.decode()
    assert "Kent Police has used up its places" in content
    assert "Unused places open to everyone on" in content
    assert Registration.objects.get(user=person).status == Status.WAITING


def test_the_register_page_warns_before_someone_over_the_quota_registers(client, event):
    register(event, kent(), 0)
    register(event, kent(), 1)
    client.force_login(kent())

    content = client.get(f"/my-events/register/{event.pk}/").content.decode()

    assert "Kent Police has used up its places at this event until" in content
    assert "Join the waiting list</button>" in content


def test_the_register_page_does_not_warn_another_organisation(client, event):
    register(event, kent(), 0)
    register(event, kent(), 1)
    client.force_login(surrey())

    content = client.get(f"/my-events/register/{event.pk}/").content.decode()

    assert "has used up its places" not in content
    assert "Register</button>" in content


def test_the_event_page_tells_someone_over_the_quota_before_they_register(client, event):
    register(event, kent(), 0)
    register(event, kent(), 1)

    client.force_login(kent())
    content = client.get(event.url).content.decode()
    assert "Kent Police has used up its places at this event until" in content
    assert "Join the waiting list" in content

    client.force_login(surrey())
    content = client.get(event.url).content.decode()
    assert "has used up its places" not in content
