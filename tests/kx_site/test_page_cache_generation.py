"""A request reads the page cache's generation once, however many kept answers it asks for
(kx_site.page_cache), and a retirement during the request is seen at once."""

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext

from kx_site.page_cache import AnonymousPageCacheMiddleware, generation, retire_kept_pages

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("production_caches")]


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.KX_PAGE_CACHE_SECONDS = 300


def serve(rf, view):
    """Run ``view`` behind the middleware, as a POST: a request it never keeps or serves."""
    return AnonymousPageCacheMiddleware(view)(rf.post("/"))


def test_a_request_reads_the_generation_once(rf):
    generation()  # made before the request, as on a running site
    read = {}

    def view(request):
        with CaptureQueriesContext(connection) as captured:
            read["generations"] = {generation() for _ in range(3)}
        read["queries"] = len(captured)
        return HttpResponse()

    serve(rf, view)

    assert len(read["generations"]) == 1
    assert read["queries"] == 1


def test_a_retirement_during_the_request_is_read_at_once(rf):
    read = []

    def view(request):
        read.append(generation())
        retire_kept_pages()
        read.append(generation())
        return HttpResponse()

    serve(rf, view)

    assert read[0] != read[1]
    assert read[1] == generation()


def test_outside_a_request_every_call_reads_the_shared_cache():
    generation()

    with CaptureQueriesContext(connection) as captured:
        generation()
        generation()

    assert len(captured) == 2
