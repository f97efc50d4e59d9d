"""Checks on files people upload: size, type (by extension and by content) and, for images,
that Pillow can read them without decompressing a bomb.

Each refusal is a ``ValidationError`` whose message says what to do, ready for a form field.
"""

import warnings
import zipfile
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import Image, UnidentifiedImageError

MEGABYTE = 1024 * 1024

OFFICE_EXTENSIONS = {"docx", "xlsx", "pptx", "odt"}
IMAGE_FORMATS = {"png": "PNG", "jpg": "JPEG", "jpeg": "JPEG"}
ALLOWED_EXTENSIONS = {"pdf", *OFFICE_EXTENSIONS, *IMAGE_FORMATS}
ALLOWED_DESCRIPTION = "PDF, DOCX, XLSX, PPTX, ODT, PNG or JPEG"


def max_upload_bytes():
    return settings.KX_UPLOAD_MAX_BYTES


def max_image_pixels():
    return settings.KX_UPLOAD_MAX_IMAGE_PIXELS


def extension_of(name):
    return PurePath(name or "").suffix.lower().lstrip(".")


def check_upload(upload):
    """Refuse ``upload`` (a Django ``UploadedFile``) unless it is an allowed, readable file."""
    name = upload.name or "The file"
    if upload.size == 0:
        raise ValidationError(f"{name} is empty")
    limit = max_upload_bytes()
    if upload.size > limit:
        raise ValidationError(f"{name} must be smaller than {limit // MEGABYTE} MB")
    extension = extension_of(upload.name)
    if extension not in ALLOWED_EXTENSIONS:
        raise ValidationError(f"{name} must be a {ALLOWED_DESCRIPTION} file")
    upload.seek(0)
    try:
        if extension == "pdf":
            _check_pdf(upload, name)
        elif extension in OFFICE_EXTENSIONS:
            _check_office_document(upload, name, extension)
        else:
            _check_image(upload, name, IMAGE_FORMATS[extension])
    finally:
        upload.seek(0)


def _check_pdf(upload, name):
    if not upload.read(5) == b"%PDF-":
        raise ValidationError(f"{name} is not a PDF file: save it as PDF and try again")


def _check_office_document(upload, name, extension):
    # Office Open XML and OpenDocument files are zip archives with a known first member.
    message = f"{name} is not a valid {extension.upper()} file: save it again and try again"
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise ValidationError(message) from error
    if "[Content_Types].xml" not in names and "mimetype" not in names:
        raise ValidationError(message)


def _check_image(upload, name, expected_format):
    unreadable = f"{name} is not a PNG or JPEG image that can be opened"
    too_large = (
        f"{name} has too many pixels (more than {max_image_pixels():,}): make the image smaller"
    )
    try:
        with warnings.catch_warnings():
            # Pillow warns, then refuses, above its own limit; treat the warning as a refusal.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                width, height = image.size
                if width * height > max_image_pixels():
                    raise ValidationError(too_large)
                if image.format != expected_format:
                    raise ValidationError(
                        f"{name} is not the kind of image its name says: save it again and try "
                        "again"
                    )
                image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ValidationError(too_large) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ValidationError(unreadable) from error
