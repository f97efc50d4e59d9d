import contextlib

from .base import *  # noqa: F403
from .base import ALLOWED_HOSTS

DEBUG = True
# A development-only key; production.py refuses to start without a real one.
SECRET_KEY = SECRET_KEY or "dev-only-insecure-key-kx"  # noqa: F405
ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost"]
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}

with contextlib.suppress(ImportError):
    from .local import *  # noqa: F403
