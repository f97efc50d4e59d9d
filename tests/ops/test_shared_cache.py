"""The caches production runs with: shared (database, or Redis named by KX_CACHE_URL) for what
every process must agree on, process-local for renditions and kept pages.

The Redis cases run against a real server named by KX_TEST_REDIS_URL (CI starts one with
scripts/redis-test-server.sh)."""

import json
import os
import socket

import pytest

from tests.production_process import run_production

from ..kx_site.audience_cases import make_page

SHOW_CACHES = (
    "import json, django; django.setup(); from django.conf import settings; "
    "print(json.dumps({a: c['BACKEND'].rsplit('.', 1)[1] for a, c in settings.CACHES.items()}))"
)
RETIRE = (
    "import django; django.setup(); from kx_site import page_cache; "
    "page_cache.retire_kept_pages(); print(page_cache.generation())"
)
READ = (
    "import django; django.setup(); from kx_site import page_cache; print(page_cache.generation())"
)


@pytest.fixture
def redis_url():
    url = os.environ.get("KX_TEST_REDIS_URL", "")
    if not url:
        pytest.skip(
            "KX_TEST_REDIS_URL is not set: run scripts/redis-test-server.sh and set "
            "KX_TEST_REDIS_URL=redis://127.0.0.1:6390/0 to test the shared Redis cache"
        )
    return url


def caches_in_production(**env):
    result = run_production("-c", SHOW_CACHES, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_without_a_cache_url_the_shared_cache_is_the_database():
    assert caches_in_production(KX_CACHE_URL=None) == {
        "default": "DatabaseCache",
        "renditions": "LocMemCache",
        "pages": "LocMemCache",
    }


def test_a_cache_url_puts_the_shared_cache_and_renditions_in_redis():
    assert caches_in_production(KX_CACHE_URL="redis://127.0.0.1:6390/0") == {
        "default": "ResilientRedisCache",
        "renditions": "ResilientRedisCache",
        "pages": "LocMemCache",
    }


def test_a_change_in_one_process_retires_the_pages_kept_by_another(redis_url):
    retired = run_production("-c", RETIRE, KX_CACHE_URL=redis_url)
    read = run_production("-c", READ, KX_CACHE_URL=redis_url)

    assert retired.returncode == read.returncode == 0, retired.stderr + read.stderr
    generation = retired.stdout.strip()
    assert len(generation) == 32
    assert read.stdout.strip() == generation


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.django_db
def test_pages_are_served_when_the_shared_cache_is_down(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "kx_site.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
        },
        "renditions": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }
    settings.KX_PAGE_CACHE_SECONDS = 300
    page = make_page("public")

    responses = [client.get(page.url) for _ in range(2)]

    assert [r.status_code for r in responses] == [200, 200]
    assert page.title in responses[1].content.decode()
    # Nothing is kept while nobody can learn that it went stale.
    assert [r.get("X-KX-Page-Cache") for r in responses] == [None, None]
