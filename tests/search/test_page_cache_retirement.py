"""Pages kept for signed-out readers are retired when search learns of a change: the library's
listing is drawn from the search index (the engine, or the entries on the database), which is
brought up to date after the change's own transaction, by a task."""

import pytest

from kx_site import page_cache
from kx_site.audience import Audience
from search import services
from search.models import SearchEntry
from tests.practice_library.factories import PracticePageFactory

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("production_caches"),
]


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.KX_PAGE_CACHE_SECONDS = 300


def test_writing_search_entries_retires_the_kept_pages():
    practice = PracticePageFactory(audience=Audience.PUBLIC)
    before = page_cache.generation()

    services.search_entry_refresh(model_label="practice_library.practicepage", pk=practice.pk)

    assert page_cache.generation() != before


def test_an_unpublished_entry_removed_from_search_retires_the_kept_pages():
    practice = PracticePageFactory(audience=Audience.PUBLIC)
    services.search_entry_refresh(model_label="practice_library.practicepage", pk=practice.pk)
    practice.unpublish()
    before = page_cache.generation()

    services.search_entry_refresh(model_label="practice_library.practicepage", pk=practice.pk)

    assert not SearchEntry.objects.filter(key=f"practice:{practice.pk}", removed=False).exists()
    assert page_cache.generation() != before


def test_the_engine_showing_new_entries_retires_the_kept_pages(engine_backend):
    practice = PracticePageFactory(audience=Audience.PUBLIC)
    services.search_entry_refresh(model_label="practice_library.practicepage", pk=practice.pk)
    # As when the change reached the entries but the worker has yet to send it.
    assert SearchEntry.objects.update(needs_engine_sync=True) > 0
    before = page_cache.generation()

    sent = services.search_engine_sync()

    assert sent > 0
    assert page_cache.generation() != before


def test_an_engine_sync_with_nothing_to_send_leaves_the_kept_pages(engine_backend):
    services.search_engine_sync()
    before = page_cache.generation()

    assert services.search_engine_sync() == 0
    assert page_cache.generation() == before
