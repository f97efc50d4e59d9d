"""Search tests run on the database and, when an engine is configured, on the engine too.

Engine tests need a running OpenSearch: `make search-engine`, then
`SEARCH_URL=http://127.0.0.1:9201 .venv/bin/pytest tests/search` (CI always sets SEARCH_URL).
They write to indexes named ``kx_test_<pid>...`` and delete them at the end of the session.
"""

import os

import pytest
from django.conf import settings as django_settings

from search import services
from search.engine import connect
from search.index import alias_name, ensure_index

ENGINE_SKIP_REASON = (
    "no search engine configured: run `make search-engine` and set "
    "SEARCH_URL=http://127.0.0.1:9201 to run the engine tests (CI always does)"
)
TEST_INDEX = f"kx_test_{os.getpid()}"


@pytest.fixture(scope="session")
def engine_url():
    url = django_settings.SEARCH_TEST_URL
    if not url:
        pytest.skip(ENGINE_SKIP_REASON)
    yield url
    engine = connect(url, timeout=30)
    for index in engine.indices(f"{TEST_INDEX}*"):
        engine.delete_index(index)


class Backend:
    """Where a test searches, and how it puts its content into that index."""

    def __init__(self, name, engine=None):
        self.name = name
        self.engine = engine

    def index(self):
        services.search_entries_rebuild()
        services.search_engine_sync()
        if self.engine:
            self.engine.refresh(alias_name())


@pytest.fixture
def engine_backend(engine_url, settings):
    settings.SEARCH_URL = engine_url
    settings.SEARCH_ENGINE = "opensearch"
    settings.SEARCH_INDEX = TEST_INDEX
    # Two busy cores: a query must not time out for the wrong reason here.
    settings.SEARCH_TIMEOUT = 15
    engine = connect(engine_url, timeout=30)
    ensure_index(engine)
    engine.client.delete_by_query(
        index=TEST_INDEX, body={"query": {"match_all": {}}}, refresh=True, conflicts="proceed"
    )
    return Backend("engine", engine)


@pytest.fixture
def database_backend(settings):
    settings.SEARCH_URL = ""
    return Backend("database")


@pytest.fixture(params=["database", "engine"])
def backend(request, db):
    return request.getfixturevalue(f"{request.param}_backend")
