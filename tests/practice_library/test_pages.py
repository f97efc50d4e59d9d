"""The practice page shows the Practice Bank record; editors build library pages in the admin."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from wagtail.documents.models import Document
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from accounts.models import OrganisationKind, User
from kx_site.audience import Audience
from kx_site.models import HomePage
from practice_library.models import PracticeAttachment, PracticeIndexPage, PracticePage, Topic
from tests.factories import (
    PractitionerFactory,
    ProbationPractitionerFactory,
    UserFactory,
    with_second_factor,
)

from .factories import AdoptionFactory, PracticeIndexPageFactory, PracticePageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    user = User.objects.create_user(email="library.editor@kx.example", password="x" * 14)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    user.groups.add(Group.objects.get(name="Editors"))
    with_second_factor(user)
    client.force_login(user)
    return client


def practice_form(**overrides):
    data = {
        "title": "Joint ARMS visits",
        "slug": "joint-arms-visits",
        "summary": "Police and probation carry out ARMS visits together.",
        "does_it_work": "worked",
        "evidence_stage": "evaluated_locally",
        "focus": "Risk management",
        "target_group": "Adult men on the register",
        "organisation": "",
        "partners": "",
        "region": "South East",
        "scale": "local",
        "start_date": "2024-01-01",
        "end_date": "",
        "aim": "",
        "intended_outcome": "",
        "description": "We visit together.",
        "evaluation": "",
        "resources_and_cost": "",
        "contact_name": "",
        "contact_email": "",
        "attachments": inline_formset([]),
        "audience": "practitioners",
        "marking": "official",
    }
    data.update(overrides)
    form_data = nested_form_data(data)
    # nested_form_data reads lists as streams; checkboxes post one value per box.
    form_data["topics"] = [Topic.objects.get(name="ARMS practice").pk]
    return form_data


def test_an_editor_can_create_the_library_index(editor_client):
    home = HomePage.objects.get()

    response = editor_client.post(
        f"/admin/pages/add/practice_library/practiceindexpage/{home.pk}/",
        nested_form_data({"title": "Practice library", "slug": "library", "intro": "What works."}),
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    assert PracticeIndexPage.objects.get().slug == "library"


def test_an_editor_can_create_a_practice(editor_client):
    index = PracticeIndexPageFactory()

    response = editor_client.post(
        f"/admin/pages/add/practice_library/practicepage/{index.pk}/", practice_form()
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    practice = PracticePage.objects.get(slug="joint-arms-visits")
    assert [t.name for t in practice.topics.all()] == ["ARMS practice"]
    assert practice.get_parent().specific == index


def test_a_practice_that_ends_before_it_starts_is_refused(editor_client):
    index = PracticeIndexPageFactory()

    response = editor_client.post(
        f"/admin/pages/add/practice_library/practicepage/{index.pk}/",
        practice_form(start_date="2024-05-01", end_date="2024-01-01"),
    )

    assert response.status_code == 200
    assert "The end date must be on or after the start date." in response.content.decode()
    assert not PracticePage.objects.filter(slug="joint-arms-visits").exists()


def test_practices_live_only_under_the_one_library_index():
    index = PracticeIndexPageFactory()
    assert PracticePage.can_create_at(index)
    assert not PracticePage.can_create_at(index.get_parent())
    assert not PracticeIndexPage.can_create_at(index.get_parent())  # max one


def test_a_practitioner_sees_the_whole_record_with_the_contact(client):
    practice = PracticePageFactory(
        focus="Home visits", partners="Kent Probation", evaluation="Fewer missed visits."
    )
    AdoptionFactory(practice=practice, note="Used across London.")
    client.force_login(PractitionerFactory())

    response = client.get(practice.url)

    body = response.content.decode()
    assert response.status_code == 200
    for text in (
        "Promising",
        "Evaluated locally",
        "Home visits",
        "Kent Probation",
        "Fewer missed visits.",
        "Alex Contact",
        "alex.contact@kent.police.uk",
        "Probation Service – London",
        "Used across London.",
    ):
        assert text in body, text
    assert response["Cache-Control"].count("no-store") == 1


def test_others_never_see_the_contact_of_a_public_practice(user_client):
    practice = PracticePageFactory(audience=Audience.PUBLIC)

    response = user_client.get(practice.url)

    body = response.content.decode()
    assert response.status_code == 200
    assert "alex.contact@kent.police.uk" not in body
    assert "Alex Contact" not in body
    assert "shown to verified practitioners only" in body


def test_anonymous_visitors_never_see_the_contact_either(client):
    practice = PracticePageFactory(audience=Audience.PUBLIC)

    body = client.get(practice.url).content.decode()

    assert "alex.contact@kent.police.uk" not in body


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", 302),
        ("unverified", 403),
        ("member", 403),
        ("probation", 403),
        ("police", 200),
    ],
)
def test_a_police_only_practice_is_shown_to_police_only(client, who, expected):
    practice = PracticePageFactory(
        audience=Audience.RESTRICTED, restricted_to_kinds=[OrganisationKind.POLICE_FORCE]
    )
    users = {
        "unverified": lambda: UserFactory(email_verified=False),
        "member": UserFactory,
        "probation": ProbationPractitionerFactory,
        "police": PractitionerFactory,
    }
    if who in users:
        client.force_login(users[who]())

    response = client.get(practice.url)

    assert response.status_code == expected
    if expected != 200:
        assert practice.summary not in response.content.decode()
    if who == "anonymous":
        assert response["Location"].startswith("/accounts/login/")


def test_an_editor_can_open_and_preview_a_practice_with_its_attachments(editor_client, media_root):
    document = Document(title="Visit plan")
    document.file.save("plan.pdf", ContentFile(b"%PDF-1.4"), save=False)
    document.save()
    practice = PracticePageFactory(live=False)
    practice.attachments = [PracticeAttachment(document=document)]
    practice.save_revision()
    url = f"/admin/pages/{practice.pk}/edit/"

    assert editor_client.get(url).status_code == 200
    form = practice_form(
        title=practice.title,
        slug=practice.slug,
        attachments=inline_formset([{"document": document.pk, "title": "The plan"}]),
    )
    assert editor_client.post(url + "preview/", form).json()["is_valid"]
    preview = editor_client.get(url + "preview/")

    assert preview.status_code == 200
    assert "The plan" in preview.content.decode()
