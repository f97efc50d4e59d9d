"""The caches production runs with, for tests that count what a cache costs."""

import pytest
from django.core.cache import caches
from django.core.management import call_command


@pytest.fixture
def production_caches(db, settings):
    """Run the test on the caches of kx_site/settings/base.py (the database cache unless
    KX_CACHE_URL names Redis), so that a query a cache costs is counted."""
    from kx_site.settings import base

    settings.CACHES = base.CACHES
    call_command("createcachetable", verbosity=0)
    for cache in caches.all():
        cache.clear()
    yield caches
    for cache in caches.all():
        cache.clear()
