"""Session materials: on the page and as documents, only for delegates, practitioners (when the
event is for practitioners or narrower), organisers and editors; speakers' photos as renditions."""

import pytest

from accounts.models import OrganisationKind
from events.models import EventSessionMaterial, Registration, Speaker
from events.services import registration_create
from kx_site.audience import Audience
from tests.downloads import download
from tests.factories import (
    PractitionerFactory,
    ProbationPractitionerFactory,
    UserFactory,
    staff_member,
)

from .factories import (
    EventPageFactory,
    EventSessionFactory,
    MaterialDocumentFactory,
    SpeakerPhotoFactory,
)

pytestmark = pytest.mark.django_db


def event_with_material(**fields):
    """A published event whose one session has slides, indexed as the admin would index it."""
    event = EventPageFactory(**fields)
    session = EventSessionFactory(event=event, title="Home visits")
    document = MaterialDocumentFactory()
    EventSessionMaterial.objects.create(
        session=session, title="Home visit slides", document=document
    )
    event.save_revision().publish()
    return event, document


def organiser():
    return staff_member("Event organisers")


def delegate_of(event, user):
    registration_create(event=event, user=user)
    assert Registration.objects.get(event=event, user=user).status == Registration.Status.CONFIRMED
    return user


def sees_materials(client, event, document):
    response = client.get(event.url)
    assert response.status_code == 200
    content = response.content.decode()
    shown = document.url in content
    assert shown == ("Home visit slides" in content)
    return shown


@pytest.fixture
def registered_event(media_root):
    """For anyone signed in with a verified email: materials only for delegates and staff."""
    return event_with_material(audience=Audience.REGISTERED)


def test_anonymous_visitors_are_sent_to_sign_in_for_a_material(client, registered_event):
    _event, document = registered_event

    response = download(client, document)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_member_with_an_unverified_email_gets_neither_page_nor_material(
    client, registered_event
):
    event, document = registered_event
    client.force_login(UserFactory(email_verified=False))

    assert client.get(event.url).status_code == 403
    assert download(client, document).status_code == 403


def test_a_practitioner_who_is_not_a_delegate_of_a_wider_event_gets_no_material(
    client, registered_event
):
    event, document = registered_event
    client.force_login(PractitionerFactory())

    assert not sees_materials(client, event, document)
    assert download(client, document).status_code == 403


def test_a_confirmed_delegate_gets_the_materials(client, registered_event):
    event, document = registered_event
    client.force_login(delegate_of(event, UserFactory()))

    assert sees_materials(client, event, document)
    response = download(client, document)
    assert response.status_code == 200
    assert response.body == b"Slide one."


def test_someone_on_the_waiting_list_gets_no_material(client, media_root):
    event, document = event_with_material(audience=Audience.REGISTERED, capacity=1)
    delegate_of(event, UserFactory())
    waiting = UserFactory()
    registration_create(event=event, user=waiting)
    client.force_login(waiting)

    assert not sees_materials(client, event, document)
    assert download(client, document).status_code == 403


def test_an_organiser_gets_the_materials(client, registered_event):
    event, document = registered_event
    client.force_login(organiser())

    assert sees_materials(client, event, document)
    assert download(client, document).status_code == 200


def test_any_practitioner_gets_the_materials_of_a_practitioners_event(client, media_root):
    event, document = event_with_material(audience=Audience.PRACTITIONERS)
    client.force_login(PractitionerFactory())

    assert sees_materials(client, event, document)
    assert download(client, document).status_code == 200


def test_a_member_who_is_not_a_practitioner_gets_no_material_of_a_practitioners_event(
    client, media_root
):
    event, document = event_with_material(audience=Audience.PRACTITIONERS)
    client.force_login(UserFactory())

    assert client.get(event.url).status_code == 403
    assert download(client, document).status_code == 403


def test_another_agency_gets_neither_page_nor_material_of_a_restricted_event(client, media_root):
    event, document = event_with_material(
        audience=Audience.RESTRICTED, restricted_to_kinds=[OrganisationKind.POLICE_FORCE]
    )
    client.force_login(ProbationPractitionerFactory())
    assert client.get(event.url).status_code == 403
    assert download(client, document).status_code == 403

    client.force_login(PractitionerFactory())
    assert sees_materials(client, event, document)
    assert download(client, document).status_code == 200


def test_a_material_of_an_unpublished_event_is_served_to_no_delegate(client, registered_event):
    event, document = registered_event
    user = delegate_of(event, UserFactory())
    event.unpublish()
    client.force_login(user)

    assert download(client, document).status_code == 403


def test_a_speaker_photo_is_shown_as_a_small_rendition(client, practitioner, renditions):
    event = EventPageFactory()
    speaker = Speaker.objects.create(name="Dr Helen Ward", photo=SpeakerPhotoFactory())
    session = EventSessionFactory(event=event)
    session.speakers.set([speaker])
    session.save()
    client.force_login(practitioner)

    response = client.get(event.url)

    content = response.content.decode()
    rendition = speaker.photo.get_rendition("fill-96x96")
    assert rendition.width == 96
    assert rendition.height == 96
    assert f'src="{rendition.url}"' in content
    assert 'alt=""' in content


def test_an_editor_who_may_edit_the_event_gets_the_materials(client, registered_event):
    event, document = registered_event
    editor = staff_member("Editors")
    client.force_login(editor)

    assert sees_materials(client, event, document)
    assert download(client, document).status_code == 200
