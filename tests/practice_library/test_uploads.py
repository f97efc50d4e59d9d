"""Attachments are refused unless they are small, of an allowed type and really that type."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from practice_library.uploads import check_upload

from .uploads import docx, pdf, png


@pytest.mark.parametrize("make", [pdf, docx, png, lambda: png("photo.jpg", image_format="JPEG")])
def test_allowed_files_pass(make):
    check_upload(make())


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("empty.pdf", b""), "empty.pdf is empty"),
        (SimpleUploadedFile("run.exe", b"MZ..."), "must be a PDF, DOCX, XLSX, PPTX, ODT"),
        (SimpleUploadedFile("page.html", b"<script>"), "must be a PDF"),
        (SimpleUploadedFile("fake.pdf", b"MZ not a pdf"), "fake.pdf is not a PDF file"),
        (SimpleUploadedFile("fake.docx", b"plain text"), "fake.docx is not a valid DOCX file"),
        (SimpleUploadedFile("fake.png", b"\x89PNG but broken"), "is not a PNG or JPEG image"),
        (png("misnamed.jpg"), "is not the kind of image its name says"),
    ],
)
def test_bad_files_get_a_clear_message(upload, message):
    with pytest.raises(ValidationError) as error:
        check_upload(upload)

    assert message in error.value.messages[0]


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.KX_UPLOAD_MAX_BYTES = 1024 * 1024
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (1024 * 1024))

    with pytest.raises(ValidationError, match="must be smaller than 1 MB"):
        check_upload(big)


def test_a_decompression_bomb_is_refused(settings):
    # A tiny file that claims more pixels than the limit: refused before it is decoded.
    settings.KX_UPLOAD_MAX_IMAGE_PIXELS = 10_000

    with pytest.raises(ValidationError, match="has too many pixels"):
        check_upload(png("bomb.png", size=(200, 200)))


def test_pillows_own_bomb_guard_is_turned_into_a_clear_error(monkeypatch):
    from PIL import Image

    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)

    with pytest.raises(ValidationError, match="has too many pixels"):
        check_upload(png("bomb.png", size=(100, 100)))
