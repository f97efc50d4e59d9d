"""Fixtures shared by every test package (the browser journeys included)."""

import pytest
from django.core.cache import caches

from .caches import production_caches  # noqa: F401 - a fixture for every test package
from .factories import PractitionerFactory, UserFactory

# Tests that start processes of their own on the production settings (servers, the worker, the
# scheduler, backups), or hold many database connections at once (the concurrency tests), share
# the machine's services and PostgreSQL's connection slots: under pytest-xdist (`make test` runs
# two workers) they run one at a time, on one worker. They are found by folder, and by what
# their module uses.
MACHINE_TEST_FOLDERS = ("tests/ops/",)
MACHINE_NAMES = {
    "ThreadPoolExecutor",
    "threading",
    "subprocess",
    "run_production",
    "register_all_at_once",
}


def uses_the_machine(item):
    path = item.nodeid.split("::")[0]
    module = getattr(item, "module", None)
    return path.startswith(MACHINE_TEST_FOLDERS) or bool(MACHINE_NAMES & set(vars(module or {})))


def pytest_collection_modifyitems(items):
    """A transactional test must roll back by serialisation: a plain flush re-creates the content
    types, and the next test that restores the migrations' data then fails on PostgreSQL with a
    duplicate key, depending on the order the tests ran in.

    For pytest-xdist's ``--dist loadgroup``: every test file is a group (its module fixtures are
    made once), and the tests that use the machine (``uses_the_machine``) are one group."""
    for item in items:
        group = "machine" if uses_the_machine(item) else item.nodeid.split("::")[0]
        item.add_marker(pytest.mark.xdist_group(group))
        marker = item.get_closest_marker("django_db")
        if (
            marker is not None
            and marker.kwargs.get("transaction")
            and not marker.kwargs.get("serialized_rollback")
        ):
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
