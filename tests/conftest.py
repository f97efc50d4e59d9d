"""Fixtures shared by every test package (the browser journeys included)."""

import fcntl
import hashlib
import os
import tempfile
from pathlib import Path

import pytest
from django.core.cache import caches
from django.db.backends.base.creation import BaseDatabaseCreation

from . import migrated_database, serialized_rollback
from .caches import production_caches  # noqa: F401 - a fixture for every test package
from .factories import PractitionerFactory, UserFactory

# Tests that start processes of their own on the production settings (servers, the worker, the
# scheduler, backups), or hold many database connections at once (the concurrency tests), share
# the machine's services and PostgreSQL's connection slots. Under pytest-xdist (`make test` runs
# two workers) they run one file at a time: a worker holds a lock on a file for as long as it
# runs one of their files' tests. They are found by folder, and by what their module uses.
MACHINE_TEST_FOLDERS = ("tests/ops/",)
MACHINE_NAMES = {
    "ThreadPoolExecutor",
    "threading",
    "subprocess",
    "run_production",
    "register_all_at_once",
}
MACHINE_LOCK = Path(tempfile.gettempdir()) / (
    "kx-tests-machine-" + hashlib.sha256(str(Path(__file__).parent).encode()).hexdigest()[:12]
)


def uses_the_machine(module_node):
    return module_node.nodeid.startswith(MACHINE_TEST_FOLDERS) or bool(
        MACHINE_NAMES & set(vars(module_node.module))
    )


@pytest.fixture(scope="module", autouse=True)
def _one_machine_test_file_at_a_time(request):
    """Before the file's own module fixtures (servers, processes) start: autouse comes first."""
    if not os.environ.get("PYTEST_XDIST_WORKER") or not uses_the_machine(request.node):
        yield
        return
    with MACHINE_LOCK.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, request):
    """Once pytest-django has named this process's test database: make it a copy of the migrated
    template (tests/migrated_database.py), unless the run asked for no migrations."""
    if not request.config.getvalue("nomigrations"):
        migrated_database.copy_for_this_process()


@pytest.fixture(scope="session")
def django_db_keepdb(request):
    """The copy is the test database: Django's set-up keeps it (and finds every migration
    applied) rather than making an empty one."""
    return request.config.getvalue("reuse_db") or not request.config.getvalue("nomigrations")


@pytest.fixture(scope="session", autouse=True)
def _restore_serialized_data_in_bulk():
    """Each transactional test restores the migrations' data in bulk, not row by row
    (tests/serialized_rollback.py)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            BaseDatabaseCreation, "deserialize_db_from_string", serialized_rollback.restore_in_bulk
        )
        yield


def pytest_collection_modifyitems(items):
    """A transactional test must roll back by serialisation: a plain flush re-creates the content
    types, and the next test that restores the migrations' data then fails on PostgreSQL with a
    duplicate key, depending on the order the tests ran in. A test that uses the live server is
    transactional even without the marker (pytest-django asks for ``transactional_db`` for it):
    CI failed when a browser test without ``browser_journey`` ran between journeys."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        transactional = "live_server" in getattr(item, "fixturenames", ()) or (
            marker is not None and marker.kwargs.get("transaction")
        )
        if transactional and not (marker and marker.kwargs.get("serialized_rollback")):
            raise pytest.UsageError(
                f"{item.nodeid}: use pytest.mark.django_db(transaction=True, "
                "serialized_rollback=True)"
            )


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate limits, renditions and pages live in local-memory caches: start every test with none
    used or kept."""
    for cache in caches.all():
        cache.clear()
    yield
    for cache in caches.all():
        cache.clear()


@pytest.fixture
def user(db):
    """Signed up with a verified email address, but not a practitioner."""
    return UserFactory()


@pytest.fixture
def practitioner(db):
    return PractitionerFactory()


@pytest.fixture
def user_client(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def practitioner_client(client, practitioner):
    client.force_login(practitioner)
    return client


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
