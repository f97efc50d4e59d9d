"""make backup / make restore, end to end on a real database of the kind the suite runs on.

On PostgreSQL (DATABASE_URL names one) two databases are made on that server for the test:
kx_backup_src_<pid>, a copy of the suite's migrated template (tests/migrated_database.py: the
migrations ran once for the whole suite), is given a user, a page and a document with its file;
it is backed up, and the backup restored into the empty kx_backup_dst_<pid>, where the data are
looked for with psycopg. On SQLite the same is done with two database files. The scripts and
manage.py run in processes of their own, as an operator would run them, never inside the test
transaction.
"""

import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import dj_database_url
import psycopg
import pytest

from tests import migrated_database

ROOT = Path(__file__).resolve().parents[2]
DATABASE_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = DATABASE_URL.startswith(("postgres://", "postgresql://"))

USER_EMAIL = "backup-check@example.org"
LATER_EMAIL = "after-the-backup@example.org"
PAGE_TITLE = "Backup check page"
DOCUMENT_TITLE = "Backup check document"

# Run by `manage.py shell -c` in the source database; the values come in the environment.
SEED = """
import os
from django.core.files.base import ContentFile
from wagtail.documents import get_document_model
from accounts.models import User
from kx_site.models import HomePage, StandardPage

User.objects.create_user(email=os.environ["SEED_EMAIL"])
home = HomePage.objects.get()
home.add_child(instance=StandardPage(title=os.environ["SEED_PAGE"], slug="backup-check"))
get_document_model().objects.create(
    title=os.environ["SEED_DOCUMENT"],
    file=ContentFile(os.environ["SEED_FILE_TEXT"].encode(), name="backup-check.txt"),
)
"""


class Postgres:
    """Two databases on the server of DATABASE_URL, dropped again at the end."""

    def __init__(self):
        self.server = dj_database_url.parse(DATABASE_URL)
        pid = os.getpid()
        self.src_name = f"kx_backup_src_{pid}"
        self.dst_name = f"kx_backup_dst_{pid}"

    def _connect(self, name):
        s = self.server
        return psycopg.connect(
            host=s["HOST"] or None,
            port=s["PORT"] or None,
            user=s["USER"],
            password=s["PASSWORD"],
            dbname=name,
            autocommit=True,
        )

    def url(self, name):
        s = self.server
        auth = f"{quote(s['USER'], safe='')}:{quote(s['PASSWORD'] or '', safe='')}"
        return f"postgres://{auth}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{name}"

    def create(self):
        migrated_database.copy_postgresql(self.server, self.src_name)
        with self._connect(self.server["NAME"]) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.dst_name}"')
            conn.execute(f'CREATE DATABASE "{self.dst_name}"')

    def drop(self):
        with self._connect(self.server["NAME"]) as conn:
            for name in (self.src_name, self.dst_name):
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def query(self, name, sql, *params):
        with self._connect(name) as conn:
            return conn.execute(sql.replace("?", "%s"), params).fetchall()

    def execute(self, name, sql, *params):
        with self._connect(name) as conn:
            conn.execute(sql.replace("?", "%s"), params)


class SQLite:
    """Two database files in the test's own folder."""

    def __init__(self, folder):
        self.src_name = str(folder / "src.sqlite3")
        self.dst_name = str(folder / "dst.sqlite3")

    def url(self, name):
        return f"sqlite:///{name}"

    def create(self):
        shutil.copyfile(migrated_database.sqlite_template(), self.src_name)

    def drop(self):
        pass

    def query(self, name, sql, *params):
        conn = sqlite3.connect(name)
        try:
            return conn.execute(sql, params).fetchall()
        finally:
            conn.close()

    def execute(self, name, sql, *params):
        conn = sqlite3.connect(name)
        try:
            with conn:
                conn.execute(sql, params)
        finally:
            conn.close()


@pytest.fixture
def databases(tmp_path):
    servers = Postgres() if ON_POSTGRES else SQLite(tmp_path)
    servers.create()
    yield servers
    servers.drop()


def run(args, *, database_url, media_root, backup_dir, check=True, extra_env=()):
    env = {
        **os.environ,
        **dict(extra_env),
        "DJANGO_SETTINGS_MODULE": "kx_site.settings.test",
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(media_root),
        "BACKUP_DIR": str(backup_dir),
        "PYTHON": sys.executable,
    }
    done = subprocess.run(
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    if check:
        assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr}"
    return done


def test_a_backup_restores_into_a_fresh_database_with_its_media(databases, tmp_path):
    backups = tmp_path / "backups"
    src_media, dst_media = tmp_path / "src-media", tmp_path / "dst-media"
    file_text = f"backed up {secrets.token_hex(8)}"
    src = {"database_url": databases.url(databases.src_name), "media_root": src_media}
    dst = {"database_url": databases.url(databases.dst_name), "media_root": dst_media}

    manage = [sys.executable, "manage.py"]
    seed = {
        "SEED_EMAIL": USER_EMAIL,
        "SEED_PAGE": PAGE_TITLE,
        "SEED_DOCUMENT": DOCUMENT_TITLE,
        "SEED_FILE_TEXT": file_text,
    }
    run([*manage, "shell", "-c", SEED], **src, backup_dir=backups, extra_env=seed)

    run(["scripts/backup.sh"], **src, backup_dir=backups)

    (folder,) = backups.iterdir()
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["database"]["vendor"] == ("postgresql" if ON_POSTGRES else "sqlite")
    assert "accounts.0001_initial" in manifest["migrations"]
    assert manifest["media"]["included"] is True
    assert len(manifest["git_commit"]) == 40

    # Restored into an empty database and media folder, by the newest backup under BACKUP_DIR.
    run(["scripts/restore.sh"], **dst, backup_dir=backups)

    def emails():
        rows = databases.query(
            databases.dst_name,
            "SELECT email FROM accounts_user WHERE email IN (?, ?)",
            USER_EMAIL,
            LATER_EMAIL,
        )
        return {email for (email,) in rows}

    def assert_restored():
        query = databases.query
        assert emails() == {USER_EMAIL}
        assert query(
            databases.dst_name, "SELECT live FROM wagtailcore_page WHERE title = ?", PAGE_TITLE
        ) == [(True,)]
        [(path,)] = query(
            databases.dst_name,
            "SELECT file FROM wagtaildocs_document WHERE title = ?",
            DOCUMENT_TITLE,
        )
        assert (dst_media / path).read_text() == file_text

    assert_restored()

    # Over data that is there now, a restore is refused and changes nothing...
    databases.execute(
        databases.dst_name,
        "UPDATE accounts_user SET email = ? WHERE email = ?",
        LATER_EMAIL,
        USER_EMAIL,
    )
    refused = run(["scripts/restore.sh", str(folder)], **dst, backup_dir=backups, check=False)
    assert refused.returncode == 3, refused.stdout + refused.stderr
    assert "--force" in refused.stderr
    assert emails() == {LATER_EMAIL}

    # ...unless forced: then the database is the backup's again.
    run(["scripts/restore.sh", "--force", str(folder)], **dst, backup_dir=backups)
    assert_restored()


def test_a_backup_with_a_wrong_checksum_is_not_restored(tmp_path):
    """Before touching anything, restore checks every file against SHA256SUMS."""
    folder = tmp_path / "backups" / "kx-20250101T000000Z"
    folder.mkdir(parents=True)
    (folder / "database.sqlite3").write_bytes(b"not what was backed up")
    (folder / "manifest.json").write_text("{}")
    (folder / "SHA256SUMS").write_text(f"{'0' * 64}  database.sqlite3\n")
    target = tmp_path / "target.sqlite3"

    done = run(
        ["scripts/restore.sh"],
        database_url=f"sqlite:///{target}",
        media_root=tmp_path / "media",
        backup_dir=tmp_path / "backups",
        check=False,
    )

    assert done.returncode != 0
    assert "FAILED" in done.stdout + done.stderr
    assert not target.exists()
