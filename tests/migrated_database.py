"""The test database: migrated once, copied for each pytest process.

Running every migration (Django's, Wagtail's, allauth's and KX's) costs a pytest process 20-45 s
of CPU on this project's 2-core machines, and CI starts eight such processes (two xdist workers,
two passes, two databases). So the migrated database is kept as a template named by a digest of
every migration file and the settings, made by the first process that needs it (the others wait
on a lock), and each process starts from a copy: on PostgreSQL ``CREATE DATABASE ...
TEMPLATE``, on SQLite the template file loaded into the in-memory test database with SQLite's
backup API. Django's test set-up then runs ``migrate`` as usual, finds nothing to apply, and
serialises the migrated data for the transactional tests exactly as before.

A new or edited migration changes the digest, so a stale template is never used; templates of
other digests are removed when a new one is made.
"""

import fcntl
import hashlib
import importlib
import os
import sqlite3
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from django.apps import apps
from django.db import connections
from django.db.migrations.loader import MigrationLoader

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "var" / "test-databases"
SETTINGS = ROOT / "kx_site" / "settings"
# The processes that are using the in-memory SQLite copies: the last connection's close would
# discard the database.
_kept_alive = []


def migration_files():
    for app in apps.get_app_configs():
        module_name, _ = MigrationLoader.migrations_module(app.label)
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:
            continue
        for folder in module.__path__:
            yield from Path(folder).glob("*.py")


def digest(engine):
    """Names the migrated state: the database engine, every migration file and the settings
    (which data migrations may read)."""
    content = hashlib.sha256(engine.encode())
    for path in sorted([*migration_files(), *SETTINGS.glob("*.py")]):
        content.update(str(path.relative_to(path.parents[1])).encode())
        content.update(path.read_bytes())
    return content.hexdigest()[:12]


@contextmanager
def locked(name):
    CACHE.mkdir(parents=True, exist_ok=True)
    with (CACHE / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def migrate(database_url):
    """Every migration, in a process of its own, on the test settings (as Django's test set-up
    runs them, with ``--run-syncdb``)."""
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--run-syncdb", "--no-input", "--verbosity=0"],
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "kx_site.settings.test",
        },
        check=True,
    )


def copy_for_this_process(alias="default"):
    """Make this process's test database a copy of the migrated template."""
    connection = connections[alias]
    # The name Django's own set-up will open (TEST NAME, or test_ and the name with the process's
    # suffix; SQLite's shared in-memory URI): Django has no public way to ask for it, and guessing
    # it would go wrong silently. tests/kx_site/test_migrated_test_database.py shows a break.
    test_name = connection.creation._get_test_db_name()
    if connection.vendor == "postgresql":
        copy_postgresql(connection.settings_dict, test_name)
    elif connection.vendor == "sqlite":
        in_memory = connection.creation.is_in_memory_db(test_name)
        target = sqlite3.connect(test_name, uri=in_memory)
        source = sqlite3.connect(sqlite_template())
        with source:
            source.backup(target)
        source.close()
        if in_memory:
            _kept_alive.append(target)
        else:
            target.close()


def sqlite_template():
    """The migrated SQLite file, made if missing."""
    template = CACHE / f"sqlite-{digest('sqlite')}.sqlite3"
    with locked("sqlite"):
        if not template.exists():
            for old in CACHE.glob("sqlite-*.sqlite3"):
                old.unlink()
            building = template.with_suffix(".building")
            building.unlink(missing_ok=True)
            migrate(f"sqlite:///{building}")
            building.replace(template)
    return template


def copy_postgresql(server, name):
    """Database ``name`` on ``server`` (a settings dict: USER, PASSWORD, HOST, PORT), made
    afresh as a copy of the migrated template, which is made if missing. Checkouts that use the
    same server share the template; an advisory lock keeps them from making it twice."""
    template = f"kx_test_migrated_{digest('postgresql')}"
    with _maintenance_cursor(server) as cursor:
        cursor.execute("SELECT pg_advisory_lock(hashtext('kx_test_migrated'))")
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template])
        if cursor.fetchone() is None:
            cursor.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE 'kx_test_migrated_%'"
            )
            for (old,) in cursor.fetchall():
                cursor.execute(f'DROP DATABASE "{old}" WITH (FORCE)')
            building = f"{template}_building"
            cursor.execute(f'CREATE DATABASE "{building}"')
            migrate(_url(server, building))
            cursor.execute(f'ALTER DATABASE "{building}" RENAME TO "{template}"')
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')


@contextmanager
def _maintenance_cursor(server):
    import psycopg

    with psycopg.connect(
        dbname="postgres",
        user=server["USER"],
        password=server["PASSWORD"],
        host=server["HOST"],
        port=server["PORT"] or None,
        autocommit=True,
    ) as maintenance:
        yield maintenance.cursor()


def _url(server, name):
    user = quote(server["USER"], safe="")
    password = quote(server["PASSWORD"] or "", safe="")
    host, port = server["HOST"] or "localhost", server["PORT"] or 5432
    return f"postgres://{user}:{password}@{host}:{port}/{name}"
