"""Uploaded files on a private S3-compatible bucket, with the app as the only way in.

Documents, images and renditions are read and written through the bucket, but every URL this
storage gives out is the app's own (``MEDIA_URL`` + name), never the bucket's: images are then
served by ``kx_site.media`` and documents by Wagtail's serve view, both after the audience check.
A bucket URL printed on a page, in the admin or in an API would be a way round that check, and a
presigned one would work for anyone who had it until it expired.

Settings choose this storage only when ``KX_MEDIA_S3_BUCKET`` is set (see ``settings/base.py``).
"""

from urllib.parse import urljoin

from botocore.exceptions import ClientError
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.deconstruct import deconstructible
from django.utils.encoding import filepath_to_uri
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

# Reads through ``open()`` copy the whole object first (django-storages' S3File). Past this size
# the copy goes to a temporary file instead of memory (django-storages' default keeps it all in
# memory, whatever its size).
READ_BUFFER_IN_MEMORY_MAX = 8 * 1024 * 1024
PRIVATE_ACLS = (None, "private")


@deconstructible
class PrivateMediaStorage(S3Storage):
    # Objects get no ACL of their own: the bucket's (private) rule applies. The settings below
    # win over django-storages' AWS_* settings; OPTIONS may change them, within the checks below.
    default_acl = None
    querystring_auth = True
    custom_domain = None
    # Two uploads with the same name must not replace each other: a restricted document would be
    # swapped for another, or a page would show someone else's image.
    file_overwrite = False
    max_memory_size = READ_BUFFER_IN_MEMORY_MAX

    def __init__(self, **options):
        super().__init__(**options)
        problems = []
        if not self.bucket_name:
            problems.append("no bucket is named")
        if self.default_acl not in PRIVATE_ACLS:
            problems.append(f"default_acl {self.default_acl!r} would publish every upload")
        if self.object_parameters.get("ACL") not in PRIVATE_ACLS:
            problems.append("an ACL in object_parameters would publish every upload")
        if self.file_overwrite:
            problems.append("file_overwrite would let one upload replace another")
        if problems:
            raise ImproperlyConfigured(
                "Media object storage refused: " + "; ".join(problems) + "."
            )

    def url(self, name, parameters=None, expire=None, http_method=None):
        """The app's URL for the file, as on local disk; never the bucket's."""
        return urljoin(settings.MEDIA_URL, filepath_to_uri(clean_name(name)).lstrip("/"))

    def open_stream(self, name):
        """The object's bytes read straight from the bucket as they are sent on, with no whole
        copy first; raises FileNotFoundError if there is no such object."""
        key = self._normalize_name(clean_name(name))
        try:
            answer = self.connection.meta.client.get_object(Bucket=self.bucket_name, Key=key)
        except ClientError as error:
            if error.response["ResponseMetadata"]["HTTPStatusCode"] == 404:
                raise FileNotFoundError(f"No such media object: {name}") from None
            raise
        return ObjectStream(answer["Body"], name=name, size=answer["ContentLength"])


class ObjectStream:
    """What ``FileResponse`` needs of a file (``read``, ``close``, ``name``), and its ``size``.

    Neither seekable nor telling its position, so ``FileResponse`` reads it once, in order.
    """

    def __init__(self, body, *, name, size):
        self._body = body
        self.name = name
        self.size = size

    def read(self, amount=-1):
        return self._body.read(None if amount is None or amount < 0 else amount)

    def close(self):
        self._body.close()
