"""Media on S3-compatible object storage: the bucket is private and the app stays the only way in.

The tests that store files run against a real S3 server named by KX_TEST_S3_URL (CI starts one
with scripts/s3-test-server.sh: the Versity S3 Gateway, with the fixed test credentials below).
Each test gets a bucket of its own and removes it afterwards.
"""

import gc
import json
import os
import urllib.error
import urllib.request
import uuid
import warnings
from urllib.parse import urlsplit

import boto3
import factory
import pytest
import wagtail_factories
from botocore.config import Config
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import resolve, reverse
from wagtail.documents.models import Document
from wagtail.models import Collection

from accounts.models import OrganisationKind
from kx_site.audience import Audience, Marking
from kx_site.storage import ObjectStream, PrivateMediaStorage
from tests.downloads import download
from tests.factories import (
    PractitionerFactory,
    ProbationPractitionerFactory,
    StandardPageFactory,
    UserFactory,
    staff_member,
)
from tests.production_process import run_production

# The same as in scripts/s3-test-server.sh: a test server's, never a real one's.
ACCESS_KEY = "kx-test-access-key"
SECRET_KEY = "kx-test-secret-key-not-for-production"
REGION = "us-east-1"
RENDITION_FILTER = "width-800"
POLICE_ONLY = {
    "audience": Audience.RESTRICTED,
    "restricted_to_kinds": [OrganisationKind.POLICE_FORCE],
    "marking": Marking.OFFICIAL_SENSITIVE,
}


@pytest.fixture(scope="session")
def s3_url():
    url = os.environ.get("KX_TEST_S3_URL", "")
    if not url:
        pytest.skip(
            "KX_TEST_S3_URL is not set: run scripts/s3-test-server.sh and set "
            "KX_TEST_S3_URL=http://127.0.0.1:9010 to test media on object storage"
        )
    return url.rstrip("/")


@pytest.fixture(scope="session")
def s3(s3_url):
    """A client with the test credentials (a server that is named but down fails, not skips)."""
    return boto3.client(
        "s3",
        endpoint_url=s3_url,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        config=Config(s3={"addressing_style": "path"}),
    )


def empty_and_remove(s3, bucket):
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", ()):
            s3.delete_object(Bucket=bucket, Key=item["Key"])
    s3.delete_bucket(Bucket=bucket)


@pytest.fixture
def bucket(s3):
    name = f"kx-test-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    yield name
    empty_and_remove(s3, name)


def storage_options(s3_url, bucket):
    return {
        "bucket_name": bucket,
        "endpoint_url": s3_url,
        "region_name": REGION,
        "access_key": ACCESS_KEY,
        "secret_key": SECRET_KEY,
        "addressing_style": "path",
    }


@pytest.fixture
def object_storage(settings, tmp_path, s3_url, bucket):
    """Uploads go to the bucket, as production's STORAGES puts them when KX_MEDIA_S3_BUCKET is
    set; MEDIA_ROOT points at an empty folder, so anything written to disk would show there.

    Wagtail leaves each new rendition's temporary file for the garbage collector to close
    (wagtail/wagtail#14055), which warns: collected here, quietly, as tests/events does.
    """
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "kx_site.storage.PrivateMediaStorage",
            "OPTIONS": storage_options(s3_url, bucket),
        },
    }
    assert isinstance(default_storage, PrivateMediaStorage)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        yield bucket
        gc.collect()
    assert not settings.MEDIA_ROOT.exists(), "a media file was written to local disk"


class ImageFactory(wagtail_factories.ImageFactory):
    title = factory.Sequence(lambda n: f"Visit photo {n}")
    file = factory.django.ImageField(filename="visit-plan.png", width=120, height=90, format="PNG")
    collection = factory.LazyFunction(Collection.get_first_root_node)


def make_document(content=b"Plan the visit.", name="checklist.txt"):
    document = Document(title="ARMS checklist")
    document.file.save(name, ContentFile(content), save=False)
    document.save()
    return document


def publish_page(blocks, **page_fields):
    page = StandardPageFactory(body=json.dumps(blocks), **page_fields)
    page.save_revision().publish()
    return page


def document_block(document):
    return {"type": "document", "value": {"document": document.pk, "title": ""}}


def image_block(image):
    return {"type": "image", "value": {"image": image.pk, "alt_text": "", "decorative": True}}


def stored_bytes(s3, bucket, key):
    return s3.get_object(Bucket=bucket, Key=key)["Body"].read()


def get(client, url):
    return download(client, type("File", (), {"url": url}))


def unsigned_get(url):
    """The status of a plain GET, as anyone on the internet could send it."""
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        error.close()
        return error.code


@pytest.fixture
def practitioners_document(db, object_storage):
    document = make_document()
    publish_page([document_block(document)], audience=Audience.PRACTITIONERS)
    return document


@pytest.fixture
def police_only_image(db, object_storage):
    image = ImageFactory()
    publish_page([image_block(image)], title="Heronsbridge visit plan", **POLICE_ONLY)
    return image


# Documents


@pytest.mark.django_db
def test_a_document_is_stored_in_the_bucket_and_served_through_the_app(
    client, s3, object_storage, practitioners_document
):
    key = practitioners_document.file.name
    assert key.startswith("documents/")
    assert stored_bytes(s3, object_storage, key) == b"Plan the visit."
    client.force_login(PractitionerFactory())

    response = download(client, practitioners_document)

    assert practitioners_document.url == f"/documents/{practitioners_document.pk}/checklist.txt"
    # Served by the app, not a redirect to the bucket (Wagtail's default for such a storage).
    assert response.status_code == 200
    assert "Location" not in response
    assert response.body == b"Plan the visit."
    assert response["Content-Length"] == str(len(b"Plan the visit."))


@pytest.mark.django_db
def test_a_document_in_the_bucket_is_refused_to_those_who_may_not_see_its_page(
    client, practitioners_document
):
    anonymous = download(client, practitioners_document)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/")
    assert b"Plan the visit." not in anonymous.body

    client.force_login(UserFactory())
    registered = download(client, practitioners_document)
    assert registered.status_code == 403
    assert b"Plan the visit." not in registered.content


@pytest.mark.django_db
def test_two_uploads_with_the_same_name_both_keep_their_bytes(client, s3, object_storage):
    first = make_document(b"First force's plan.")
    second = make_document(b"Second force's plan.")

    assert first.file.name != second.file.name
    assert stored_bytes(s3, object_storage, first.file.name) == b"First force's plan."
    assert stored_bytes(s3, object_storage, second.file.name) == b"Second force's plan."


@pytest.mark.django_db
def test_a_large_document_is_buffered_on_disk_not_in_memory(object_storage):
    """Wagtail's serve view reads through ``open()``, which copies the whole object first."""
    size = 9 * 1024 * 1024
    name = default_storage.save("documents/large.pdf", ContentFile(b"%" * size))

    with default_storage.open(name, "rb") as handle:
        assert handle.read(1) == b"%"
        assert handle.file._rolled  # the SpooledTemporaryFile moved to a file on disk


# Images


@pytest.mark.django_db
@pytest.mark.parametrize("which", ["rendition", "original"])
def test_an_image_in_the_bucket_is_served_through_the_app_to_its_readers(
    client, s3, object_storage, police_only_image, which
):
    rendition = police_only_image.get_rendition(RENDITION_FILTER)
    stored = {"rendition": rendition.file, "original": police_only_image.file}[which]
    prefix = {"rendition": "images/", "original": "original_images/"}[which]
    assert stored.name.startswith(prefix)
    in_bucket = stored_bytes(s3, object_storage, stored.name)
    assert in_bucket.startswith(b"\x89PNG")
    assert stored.url == f"/media/{stored.name}"
    client.force_login(PractitionerFactory())

    response = get(client, stored.url)

    assert response.status_code == 200
    assert response.body == in_bucket
    assert response["Content-Length"] == str(len(in_bucket))
    assert response["Content-Type"] == "image/png"
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_an_image_is_sent_on_as_it_is_read_from_the_bucket(rf, object_storage, police_only_image):
    """No whole copy first, in memory or on disk: the view answers with the bucket's stream.

    Called without the test client, which wraps the stream and so hides what the view gave it.
    """
    url = police_only_image.get_rendition(RENDITION_FILTER).url
    match = resolve(url)
    request = rf.get(url)
    request.user = PractitionerFactory()

    response = match.func(request, *match.args, **match.kwargs)

    assert isinstance(response.file_to_stream, ObjectStream)
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    response.file_to_stream.close()


@pytest.mark.django_db
@pytest.mark.parametrize("which", ["rendition", "original"])
def test_a_restricted_image_in_the_bucket_is_refused_to_others(
    client, object_storage, police_only_image, which
):
    url = {
        "rendition": police_only_image.get_rendition(RENDITION_FILTER).url,
        "original": police_only_image.file.url,
    }[which]

    anonymous = get(client, url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/")

    client.force_login(ProbationPractitionerFactory())
    assert get(client, url).status_code == 403


@pytest.mark.django_db
def test_an_image_missing_from_the_bucket_is_not_found(client, s3, object_storage):
    image = ImageFactory()
    publish_page([image_block(image)], audience=Audience.PUBLIC)
    s3.delete_object(Bucket=object_storage, Key=image.file.name)

    assert get(client, image.file.url).status_code == 404


# Nothing in the bucket is reachable without the app


@pytest.mark.django_db
def test_no_object_in_the_bucket_can_be_read_without_credentials(
    s3, s3_url, object_storage, practitioners_document, police_only_image
):
    police_only_image.get_rendition(RENDITION_FILTER)
    keys = [item["Key"] for item in s3.list_objects_v2(Bucket=object_storage)["Contents"]]
    assert {key.split("/")[0] for key in keys} == {"documents", "images", "original_images"}

    for key in keys:
        assert unsigned_get(f"{s3_url}/{object_storage}/{key}") == 403, key
    assert unsigned_get(f"{s3_url}/{object_storage}/") == 403  # nor listed


def test_the_unsigned_check_would_see_a_public_bucket(s3, s3_url, bucket):
    """The 403s above come from the bucket being private: the same GET reads a public one."""
    s3.put_object(Bucket=bucket, Key="documents/open.txt", Body=b"open")
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": ["s3:GetObject"],
                "Resource": [f"arn:aws:s3:::{bucket}/*"],
            }
        ],
    }
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))

    assert unsigned_get(f"{s3_url}/{bucket}/documents/open.txt") == 200


@pytest.mark.django_db
def test_no_page_or_admin_screen_names_the_bucket(
    client, s3_url, object_storage, practitioners_document, police_only_image
):
    rendition = police_only_image.get_rendition(RENDITION_FILTER)
    page = publish_page(
        [document_block(practitioners_document), image_block(police_only_image)],
        title="Joint visit pack",
        **POLICE_ONLY,
    )
    bucket_host = urlsplit(s3_url).netloc
    client.force_login(staff_member("superuser"))
    screens = [
        page.url,
        reverse("wagtailimages:index"),
        reverse("wagtailimages:edit", args=[police_only_image.pk]),
        reverse("wagtaildocs:index"),
        reverse("wagtaildocs:edit", args=[practitioners_document.pk]),
        reverse("wagtailadmin_pages:edit", args=[page.pk]),
    ]

    for url in screens:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert bucket_host not in html, url
        assert object_storage not in html, url
        assert "X-Amz-" not in html, url

    page_html = client.get(page.url).content.decode()
    assert f'src="{rendition.url}"' in page_html
    assert f'href="{practitioners_document.url}"' in page_html


# The storage and the settings


@pytest.mark.parametrize(
    "options",
    [
        {"default_acl": "public-read"},
        {"object_parameters": {"ACL": "public-read"}},
        {"file_overwrite": True},
        {"bucket_name": ""},
    ],
)
def test_the_storage_refuses_options_that_would_publish_or_overwrite_uploads(options):
    with pytest.raises(ImproperlyConfigured, match="Media object storage refused"):
        PrivateMediaStorage(**{"bucket_name": "kx-media", **options})


def test_the_storage_gives_out_the_apps_urls_never_the_buckets():
    storage = PrivateMediaStorage(
        bucket_name="kx-media", endpoint_url="https://objects.example.net", location="site"
    )

    assert storage.url("images/plan.width-800.png") == "/media/images/plan.width-800.png"
    assert storage.url("documents/a plan.pdf") == "/media/documents/a%20plan.pdf"
    assert storage.default_acl is None
    assert storage.querystring_auth


def production_settings(**env):
    """Settings as production reads them, in a process of its own (settings load once)."""
    code = (
        "import json; from django.conf import settings; print(json.dumps({"
        "'default': settings.STORAGES['default'], "
        "'serve_method': settings.WAGTAILDOCS_SERVE_METHOD}))"
    )
    return run_production("-c", code, timeout=60, **env)


def test_production_keeps_media_on_disk_unless_a_bucket_is_configured():
    done = production_settings()

    assert done.returncode == 0, done.stderr
    chosen = json.loads(done.stdout)
    assert chosen["default"] == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert chosen["serve_method"] == "serve_view"


def test_production_puts_media_in_the_configured_bucket():
    done = production_settings(
        KX_MEDIA_S3_BUCKET="kx-media",
        KX_MEDIA_S3_ENDPOINT_URL="https://objects.example.net",
        KX_MEDIA_S3_REGION="eu-west-2",
        KX_MEDIA_S3_ACCESS_KEY_ID="AKIAEXAMPLE",
        KX_MEDIA_S3_SECRET_ACCESS_KEY="example-secret",
        KX_MEDIA_S3_ADDRESSING_STYLE="path",
    )

    assert done.returncode == 0, done.stderr
    chosen = json.loads(done.stdout)
    assert chosen["default"]["BACKEND"] == "kx_site.storage.PrivateMediaStorage"
    assert chosen["default"]["OPTIONS"] == {
        "bucket_name": "kx-media",
        "endpoint_url": "https://objects.example.net",
        "region_name": "eu-west-2",
        "access_key": "AKIAEXAMPLE",
        "secret_key": "example-secret",
        "addressing_style": "path",
        "location": "",
    }
    # Documents still go through the audience check, never a redirect to the bucket.
    assert chosen["serve_method"] == "serve_view"


def test_production_refuses_nginx_file_sending_with_a_bucket():
    done = production_settings(
        KX_MEDIA_S3_BUCKET="kx-media", KX_MEDIA_ACCEL_REDIRECT_PREFIX="/protected-media/"
    )

    assert done.returncode != 0
    assert "KX_MEDIA_ACCEL_REDIRECT_PREFIX" in done.stderr
