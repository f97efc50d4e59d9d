"""Image files (originals and renditions) are served only to someone who may see a live page
that uses the image, directly or through one object in between, and to editors."""

import gc
import json
import warnings

import factory
import pytest
import wagtail_factories
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import Collection

from accounts.models import OrganisationKind
from events.models import Speaker
from kx_site.audience import Audience, Marking
from kx_site.media import may_edit_image
from kx_site.models import StandardPage
from tests.downloads import download
from tests.events.factories import EventPageFactory, EventSessionFactory
from tests.factories import (
    PractitionerFactory,
    ProbationPractitionerFactory,
    StandardPageFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

POLICE_ONLY = {
    "audience": Audience.RESTRICTED,
    "restricted_to_kinds": [OrganisationKind.POLICE_FORCE],
    "marking": Marking.OFFICIAL_SENSITIVE,
}
RENDITION_FILTER = "width-800"


class ImageFactory(wagtail_factories.ImageFactory):
    """A small real PNG in the root collection, where the editors' permissions are granted."""

    title = factory.Sequence(lambda n: f"Visit photo {n}")
    file = factory.django.ImageField(filename="visit-plan.png", width=120, height=90, format="PNG")
    collection = factory.LazyFunction(Collection.get_first_root_node)


@pytest.fixture
def renditions(media_root):
    """Wagtail leaves each new rendition's temporary file for the garbage collector to close
    (wagtail/wagtail#14055), which warns: collect it here, quietly (as tests/events does)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        yield
        gc.collect()


def show_on_page(image, **page_fields):
    """A published page whose body shows ``image``, indexed as the admin would."""
    body = json.dumps(
        [{"type": "image", "value": {"image": image.pk, "alt_text": "", "decorative": True}}]
    )
    page = StandardPageFactory(body=body, **page_fields)
    page.save_revision().publish()
    return page


def show_through_speaker(image, **event_fields):
    """A published event with a session whose speaker's photo is ``image``."""
    event = EventPageFactory(**event_fields)
    speaker = Speaker.objects.create(name="DS Ward", photo=image)
    session = EventSessionFactory(event=event)
    session.speakers.set([speaker])
    session.save()
    event.save_revision().publish()
    return event


def file_urls(image):
    """The rendition a page shows, and the original."""
    return {
        "rendition": image.get_rendition(RENDITION_FILTER).url,
        "original": image.file.url,
    }


def get(client, url):
    return download(client, type("File", (), {"url": url}))


def editor_with_second_factor(group="Editors"):
    editor = UserFactory()
    editor.groups.add(Group.objects.get(name=group))
    TOTP.activate(editor, generate_totp_secret())
    return editor


@pytest.fixture
def police_only_image(renditions):
    image = ImageFactory()
    show_on_page(image, title="Heronsbridge visit plan", **POLICE_ONLY)
    return image


@pytest.fixture
def public_image(renditions):
    image = ImageFactory()
    show_on_page(image, audience=Audience.PUBLIC)
    return image


def test_the_page_shows_the_rendition_at_its_media_url(client, police_only_image):
    client.force_login(PractitionerFactory())
    page = StandardPage.objects.get(title="Heronsbridge visit plan")

    response = client.get(page.url)

    rendition_url = police_only_image.get_rendition(RENDITION_FILTER).url
    assert rendition_url.startswith("/media/images/")
    assert f'src="{rendition_url}"' in response.content.decode()


@pytest.mark.parametrize("which", ["rendition", "original"])
def test_anonymous_visitors_are_sent_to_sign_in_for_a_police_only_image(
    client, police_only_image, which
):
    url = file_urls(police_only_image)[which]

    response = get(client, url)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/media/")
    assert response.body == b""


@pytest.mark.parametrize("which", ["rendition", "original"])
@pytest.mark.parametrize("kind", ["unconfirmed", "registered", "probation"])
def test_members_who_may_not_see_the_page_are_refused_the_image(
    client, police_only_image, which, kind
):
    user = {
        "unconfirmed": lambda: UserFactory(email_verified=False),
        "registered": UserFactory,
        "probation": ProbationPractitionerFactory,
    }[kind]()
    client.force_login(user)

    response = get(client, file_urls(police_only_image)[which])

    assert response.status_code == 403
    assert not response.has_header("X-Accel-Redirect")


@pytest.mark.parametrize("which", ["rendition", "original"])
def test_a_police_practitioner_gets_the_image_never_cached_for_others(
    client, police_only_image, which
):
    client.force_login(PractitionerFactory())
    url = file_urls(police_only_image)[which]

    response = get(client, url)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response.body.startswith(b"\x89PNG")
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= cache_control
    assert "public" not in cache_control


@pytest.mark.parametrize("group", ["Editors", "Senior editors"])
@pytest.mark.parametrize("which", ["rendition", "original"])
def test_an_editor_with_a_second_factor_gets_a_restricted_image(
    client, police_only_image, which, group
):
    client.force_login(editor_with_second_factor(group))

    response = get(client, file_urls(police_only_image)[which])

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_an_editor_gets_an_image_no_page_uses(client, renditions):
    image = ImageFactory()
    client.force_login(editor_with_second_factor())

    assert get(client, file_urls(image)["rendition"]).status_code == 200


def test_an_editor_without_a_second_factor_is_not_served_an_unused_image(client, renditions):
    image = ImageFactory()
    editor = UserFactory()
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)

    for url in file_urls(image).values():
        response = get(client, url)
        assert response.status_code in (302, 403), url
        assert response.body == b"", url
    assert not may_edit_image(editor, image)


def test_moderators_are_not_editors_of_images(client, renditions):
    image = ImageFactory()
    moderator = UserFactory()
    moderator.groups.add(Group.objects.get(name="Moderators"))
    TOTP.activate(moderator, generate_totp_secret())
    client.force_login(moderator)

    assert get(client, file_urls(image)["original"]).status_code == 403


@pytest.mark.parametrize("which", ["rendition", "original"])
def test_an_image_on_a_public_page_is_served_to_anyone_and_may_be_cached(
    client, public_image, which
):
    response = get(client, file_urls(public_image)[which])

    assert response.status_code == 200
    assert response.body.startswith(b"\x89PNG")
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert cache_control == {"public", "max-age=3600"}


def test_one_public_page_makes_the_image_public(client, police_only_image):
    show_on_page(police_only_image, audience=Audience.PUBLIC)

    response = get(client, file_urls(police_only_image)["rendition"])

    assert response.status_code == 200
    assert "public" in response["Cache-Control"]


def test_an_image_used_only_by_a_draft_page_is_refused(client, renditions):
    image = ImageFactory()
    show_on_page(image, audience=Audience.PUBLIC).unpublish()

    assert get(client, file_urls(image)["rendition"]).status_code == 302


@pytest.mark.parametrize("kind", ["anonymous", "registered", "practitioner"])
def test_an_image_no_page_uses_is_refused_to_readers(client, renditions, kind):
    image = ImageFactory()
    if kind == "registered":
        client.force_login(UserFactory())
    elif kind == "practitioner":
        client.force_login(PractitionerFactory())

    for url in file_urls(image).values():
        response = get(client, url)
        assert response.status_code == (302 if kind == "anonymous" else 403), url


def test_a_speaker_photo_on_a_restricted_event_is_refused_to_the_anonymous(client, renditions):
    photo = ImageFactory()
    show_through_speaker(photo, **POLICE_ONLY)

    for url in file_urls(photo).values():
        assert get(client, url).status_code == 302, url

    client.force_login(ProbationPractitionerFactory())
    assert get(client, file_urls(photo)["rendition"]).status_code == 403


def test_a_speaker_photo_on_a_restricted_event_is_served_to_its_readers(client, renditions):
    photo = ImageFactory()
    show_through_speaker(photo, **POLICE_ONLY)
    client.force_login(PractitionerFactory())

    response = get(client, file_urls(photo)["rendition"])

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_a_speaker_photo_on_a_public_event_is_public(client, renditions):
    photo = ImageFactory()
    show_through_speaker(photo, audience=Audience.PUBLIC)

    response = get(client, file_urls(photo)["rendition"])

    assert response.status_code == 200
    assert "public" in response["Cache-Control"]


def test_a_restricted_page_linked_from_a_public_page_does_not_make_its_image_public(
    client, police_only_image
):
    restricted = StandardPage.objects.get(title="Heronsbridge visit plan")
    body = json.dumps(
        [{"type": "paragraph", "value": f'<p><a linktype="page" id="{restricted.pk}">x</a></p>'}]
    )
    StandardPageFactory(body=body, audience=Audience.PUBLIC).save_revision().publish()

    assert get(client, file_urls(police_only_image)["rendition"]).status_code == 302


@pytest.mark.parametrize(
    "path",
    [
        "/media/images/../original_images/visit-plan.png",
        "/media/images/%2e%2e/original_images/visit-plan.png",
        "/media/images/..%2Foriginal_images%2Fvisit-plan.png",
        "/media/original_images/..%2F..%2Fkx_site%2Fsettings%2Fbase.py",
        "/media/images/%2Fetc%2Fpasswd",
        "/media/images/..%5C..%5Csettings.py",
        "/media/original_images/",
        "/media/images/no-such-file.width-800.png",
    ],
)
def test_anything_but_a_stored_image_file_is_not_found(client, public_image, path):
    response = get(client, path)

    assert response.status_code == 404
    assert b"root:" not in response.body


def test_a_file_in_the_media_folder_that_no_image_records_is_not_found(
    client, public_image, media_root
):
    (media_root / "images").mkdir(parents=True, exist_ok=True)
    (media_root / "images" / "stray.png").write_bytes(b"\x89PNG stray")

    assert get(client, "/media/images/stray.png").status_code == 404


def test_with_an_accel_redirect_prefix_nginx_sends_the_file(client, settings, public_image):
    settings.KX_MEDIA_ACCEL_REDIRECT_PREFIX = "/protected-media/"
    rendition = public_image.get_rendition(RENDITION_FILTER)

    response = get(client, rendition.url)

    assert response.status_code == 200
    assert response.body == b""
    assert response["X-Accel-Redirect"] == f"/protected-media/{rendition.file.name}"
    assert response["Content-Type"] == "image/png"
    assert "public" in response["Cache-Control"]


def test_with_an_accel_redirect_prefix_a_refusal_sends_nothing(
    client, settings, police_only_image
):
    settings.KX_MEDIA_ACCEL_REDIRECT_PREFIX = "/protected-media/"
    client.force_login(ProbationPractitionerFactory())

    response = get(client, file_urls(police_only_image)["original"])

    assert response.status_code == 403
    assert not response.has_header("X-Accel-Redirect")


def test_the_queries_do_not_grow_with_the_pages_that_use_the_image(client, renditions):
    client.force_login(PractitionerFactory())
    on_one_page = ImageFactory()
    show_on_page(on_one_page, **POLICE_ONLY)
    on_five_pages = ImageFactory()
    for _ in range(5):
        show_on_page(on_five_pages, **POLICE_ONLY)
    through_speakers = ImageFactory()
    for _ in range(3):
        show_through_speaker(through_speakers, **POLICE_ONLY)
    urls = [file_urls(image)["rendition"] for image in (on_one_page, on_five_pages)]
    urls.append(file_urls(through_speakers)["rendition"])
    get(client, urls[0])  # warm the content-type cache

    counts = []
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            assert get(client, url).status_code == 200
        counts.append(len(queries.captured_queries))

    one_page, five_pages, speakers = counts
    assert one_page == five_pages
    # One hop: the go-betweens' references, their many-to-many holders, the event pages' table.
    assert speakers <= one_page + 3
    assert max(counts) <= 20


def editor_sees_chooser(client, layout):
    client.force_login(editor_with_second_factor())
    response = client.get(reverse("wagtailimages_chooser:choose_results"), {"layout": layout})
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("layout", ["grid", "list"])
def test_the_chooser_tags_restricted_images_for_editors(client, renditions, layout):
    public = ImageFactory(title="Public poster")
    show_on_page(public, audience=Audience.PUBLIC)
    police = ImageFactory(title="Police-only plan")
    show_on_page(police, **POLICE_ONLY)
    ImageFactory(title="Unused photo")

    content = editor_sees_chooser(client, layout)

    tagged = {
        title: content.split(title, 1)[1].split("</li>" if layout == "grid" else "</tr>", 1)[0]
        for title in ("Public poster", "Police-only plan", "Unused photo")
    }
    assert "Restricted" not in tagged["Public poster"]
    assert "Restricted" in tagged["Police-only plan"]
    assert "Restricted" in tagged["Unused photo"]


def test_the_chooser_modal_opens_with_the_tag(client, renditions):
    show_on_page(ImageFactory(title="Police-only plan"), **POLICE_ONLY)
    client.force_login(editor_with_second_factor())

    response = client.get(reverse("wagtailimages_chooser:choose"))

    html = response.json()["html"]
    assert "Restricted" in html.split("Police-only plan", 1)[1].split("</li>", 1)[0]


@pytest.mark.parametrize("layout", ["grid", "list"])
def test_the_image_listing_tags_restricted_images(client, renditions, layout):
    public = ImageFactory(title="Public poster")
    show_on_page(public, audience=Audience.PUBLIC)
    police = ImageFactory(title="Police-only plan")
    show_on_page(police, **POLICE_ONLY)
    client.force_login(editor_with_second_factor())

    response = client.get(reverse("wagtailimages:index"), {"layout": layout})

    content = response.content.decode()
    assert response.status_code == 200
    end = "</li>" if layout == "grid" else "</tr>"
    assert "Restricted" in content.split("Police-only plan", 1)[1].split(end, 1)[0]
    assert "Restricted" not in content.split("Public poster", 1)[1].split(end, 1)[0]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("production_caches")
def test_a_public_image_is_served_again_without_asking_which_pages_use_it(
    client, settings, renditions
):
    settings.KX_PAGE_CACHE_SECONDS = 300
    image = ImageFactory()
    page = show_on_page(image, audience=Audience.PUBLIC)
    url = file_urls(image)["rendition"]
    get(client, url)

    queries = []

    def record(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    # (Not CaptureQueriesContext: the finished file response closes the connection and its log.)
    with connection.execute_wrapper(record):
        again = get(client, url)
    # The page that made it public becomes police-only: the kept answer is retired at once.
    page.audience = POLICE_ONLY["audience"]
    page.restricted_to_kinds = POLICE_ONLY["restricted_to_kinds"]
    page.save_revision().publish()
    after = get(client, url)

    assert again.status_code == 200
    assert "public" in again["Cache-Control"]
    # The kept answer's generation and the file's row, whatever the pages that use it.
    assert len(queries) == 2
    assert after.status_code == 302
    assert "/accounts/login/" in after["Location"]
