"""Until a staff member has a second factor, none of their staff powers apply anywhere.

Every channel a staff power opens (restricted forum categories and threads, unused documents,
restricted practice attachments, session materials of restricted events, restricted pages and
search results, the JSON API) is walked for each staff role, with and without an authenticator
app. Without one, every request is sent to set the factor up, and the checks made outside a
request (digests, notifications, tasks) treat the account as a plain member.
"""

import json

import pytest
from django.urls import reverse
from wagtail.documents.models import Document
from wagtail.models import Collection

from accounts.models import OrganisationKind
from accounts.permissions import has_staff_powers
from events.materials import can_see_materials
from events.models import EventSessionMaterial
from forums.selectors import is_moderator, visible_categories
from forums.services import thread_create
from kx_site.audience import Audience, Marking, can_view, visible_to
from kx_site.models import StandardPage
from practice_library.models import PracticeAttachment
from search.permissions import permission_filter
from search.services import search_entries_rebuild
from tests.downloads import download
from tests.events.factories import EventPageFactory, EventSessionFactory, MaterialDocumentFactory
from tests.factories import (
    PractitionerFactory,
    StandardPageFactory,
    UserFactory,
    staff_member,
    with_second_factor,
)
from tests.forums.conftest import make_category
from tests.practice_library.factories import PracticePageFactory

pytestmark = pytest.mark.django_db

WORD = "heronsbridge"
POLICE_ONLY = {
    "audience": Audience.RESTRICTED,
    "restricted_to_kinds": [OrganisationKind.POLICE_FORCE],
    "marking": Marking.OFFICIAL_SENSITIVE,
}
ROLES = ["superuser", "is_staff", "Editors", "Senior editors", "Moderators", "Event organisers"]


class Restricted:
    """One police-only item behind each channel a staff power opens."""

    def __init__(self):
        police = PractitionerFactory()
        self.category = make_category(
            "police-only", audience=Audience.RESTRICTED, kinds=[OrganisationKind.POLICE_FORCE]
        )
        self.thread = thread_create(
            category=self.category,
            author=police,
            title=f"{WORD.title()} visit plans",
            body="Which doors we knock on.",
        )
        # In the root collection, where the editors' collection permissions are granted.
        root = Collection.get_first_root_node()
        self.unused_document = MaterialDocumentFactory(title="Unused handout", collection=root)

        self.practice = PracticePageFactory(title=f"{WORD.title()} police practice", **POLICE_ONLY)
        self.attachment = MaterialDocumentFactory(title="Police-only attachment", collection=root)
        PracticeAttachment.objects.create(page=self.practice, document=self.attachment)
        self.practice.save_revision().publish()

        self.event = EventPageFactory(title=f"{WORD.title()} police day", **POLICE_ONLY)
        session = EventSessionFactory(event=self.event, title="Closed session")
        self.material = MaterialDocumentFactory(title="Closed slides")
        EventSessionMaterial.objects.create(
            session=session, title="Closed slides", document=self.material
        )
        self.event.save_revision().publish()

        self.page = StandardPageFactory(title=f"{WORD.title()} guidance", **POLICE_ONLY)
        search_entries_rebuild()

    def pages(self):
        return {
            "forum category": reverse("forums:category", args=[self.category.slug]),
            "forum thread": self.thread.get_absolute_url(),
            "unused document": self.unused_document.url,
            "practice attachment": self.attachment.url,
            "session materials": self.material.url,
            "restricted practice": self.practice.url,
            "restricted event": self.event.url,
            "restricted page": self.page.url,
            "search": f"{reverse('search:search')}?q={WORD}",
            "suggestions": f"{reverse('search:suggest')}?q={WORD[:5]}",
            "admin": "/admin/",
        }


@pytest.fixture
def restricted(media_root):
    return Restricted()


@pytest.mark.parametrize("role", ROLES)
def test_without_a_second_factor_every_channel_sends_staff_to_set_one_up(client, restricted, role):
    user = staff_member(role, second_factor=False)
    client.force_login(user)

    for channel, url in restricted.pages().items():
        response = download(client, type("Item", (), {"url": url}))
        assert response.status_code == 302, channel
        assert response["Location"] == reverse("mfa_activate_totp"), channel
        assert WORD not in response.content.decode().lower(), channel

    api = client.get(reverse("search:api"), {"q": WORD})
    assert api.status_code == 403
    assert WORD not in api.content.decode().lower()
    assert "authenticator" in api.json()["error"]


@pytest.mark.parametrize("role", ROLES)
def test_without_a_second_factor_checks_outside_a_request_treat_staff_as_members(restricted, role):
    """Digests, notifications and tasks ask the same questions with no request in sight."""
    user = staff_member(role, second_factor=False)

    assert not has_staff_powers(user)
    assert not is_moderator(user)
    assert restricted.category not in visible_categories(user)
    assert not can_view(user, restricted.page)
    assert not visible_to(StandardPage.objects.filter(pk=restricted.page.pk), user).exists()
    assert not can_see_materials(user, restricted.event)
    assert permission_filter(user).to_dict() == permission_filter(UserFactory()).to_dict()


def test_the_account_pages_stay_open_so_the_factor_can_be_set_up(client):
    client.force_login(staff_member("Editors", second_factor=False))

    assert client.get(reverse("accounts:profile")).status_code == 200
    assert client.get(reverse("account_email")).status_code == 200
    # allauth asks for the password again before an authenticator is added: not our redirect.
    assert client.get(reverse("mfa_activate_totp"))["Location"].startswith(
        reverse("account_reauthenticate")
    )


def test_members_who_are_not_staff_are_not_sent_anywhere(client, restricted):
    client.force_login(PractitionerFactory())

    response = client.get(restricted.page.url)

    assert response.status_code == 200


def test_with_a_second_factor_a_moderator_reads_every_category(client, restricted):
    moderator = staff_member("Moderators")
    client.force_login(moderator)

    assert client.get(restricted.thread.get_absolute_url()).status_code == 200
    assert restricted.category in visible_categories(moderator)


@pytest.mark.parametrize("role", ["Editors", "Senior editors"])
def test_with_a_second_factor_an_editor_downloads_unused_and_restricted_documents(
    client, restricted, role
):
    client.force_login(staff_member(role))

    assert download(client, restricted.unused_document).status_code == 200
    assert download(client, restricted.attachment).status_code == 200


def test_with_a_second_factor_an_organiser_downloads_restricted_session_materials(
    client, restricted
):
    organiser = staff_member("Event organisers")
    client.force_login(organiser)

    assert download(client, restricted.material).status_code == 200
    assert can_see_materials(organiser, restricted.event)


def test_with_a_second_factor_a_superuser_sees_restricted_pages_and_results(client, restricted):
    administrator = staff_member("superuser")
    client.force_login(administrator)

    assert client.get(restricted.page.url).status_code == 200
    results = client.get(reverse("search:api"), {"q": WORD})
    titles = json.dumps(results.json())
    assert f"{WORD.title()} police practice" in titles
    assert can_view(administrator, restricted.page)


def test_setting_up_the_factor_restores_the_powers_on_the_next_request(client, restricted):
    moderator = staff_member("Moderators", second_factor=False)
    client.force_login(moderator)
    url = restricted.thread.get_absolute_url()
    assert client.get(url).status_code == 302

    with_second_factor(moderator)

    assert client.get(url).status_code == 200


def test_unused_documents_stay_refused_to_a_plain_member(client, restricted):
    client.force_login(PractitionerFactory())

    assert download(client, restricted.unused_document).status_code == 403
    assert Document.objects.filter(pk=restricted.unused_document.pk).exists()
