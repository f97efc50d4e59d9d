"""Small files of each kind, built in memory, for upload tests."""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def pdf(name="plan.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n% a tiny test pdf\n", "application/pdf")


def docx(name="plan.docx"):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return SimpleUploadedFile(name, buffer.getvalue())


def png(name="chart.png", size=(20, 10), image_format="PNG"):
    buffer = io.BytesIO()
    Image.new("RGB", size, "white").save(buffer, image_format)
    return SimpleUploadedFile(name, buffer.getvalue())
