from .base import *  # noqa: F403

SECRET_KEY = "test-only-insecure-key-kx"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Each test starts with empty caches (tests/conftest.py). The query-count tests switch to the
# production caches (tests.caches.production_caches), so that what a cache costs is counted.
CACHES = {
    alias: {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": alias}
    for alias in ("default", "renditions", "pages")
}
# Whole-page caching is proven in tests/kx_site/test_page_cache.py; elsewhere a test that writes
# and reads again in one transaction (whose commit never comes) would see a stale page.
KX_PAGE_CACHE_SECONDS = 0
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
WAGTAILADMIN_BASE_URL = "http://testserver"
# Serve static files from the apps' folders, as in development: nothing runs collectstatic.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# Search tests that need a real engine use SEARCH_URL through this, with their own index names;
# everything else searches the database.
SEARCH_TEST_URL = SEARCH_URL  # noqa: F405
SEARCH_URL = ""
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
