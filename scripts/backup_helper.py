"""What scripts/backup.sh and scripts/restore.sh ask of Django: python scripts/backup_helper.py CMD

They read the database and media settings through Django, so a backup covers exactly what the
site uses (DATABASE_URL, MEDIA_ROOT and their defaults, under whichever settings module is in
force: DJANGO_SETTINGS_MODULE, else the development one, as manage.py).

  env                    shell assignments: KX_DB_VENDOR, KX_SQLITE_PATH, PG* and KX_MEDIA_*
  manifest FOLDER        write FOLDER/manifest.json (time, commit, migrations, database, media)
  is-empty               exit 0 when the database has no tables, 3 when it has some
  wipe                   drop every table of a PostgreSQL database (the public schema) for --force
  sqlite-backup SRC DST  copy a SQLite database with SQLite's online backup
  sqlite-restore SRC DST the same, into DST, replacing its contents
  migrations FOLDER      compare the backup's migrations with this code's and say what to do
"""

import json
import os
import shlex
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kx_site.settings.dev")
    import django

    django.setup()


def _say(text):
    sys.stdout.write(text + "\n")


def env():
    from django.conf import settings

    db = settings.DATABASES["default"]
    engine = db["ENGINE"]
    values = {
        "KX_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "KX_MEDIA_STORAGE": settings.STORAGES["default"]["BACKEND"],
    }
    if engine == "django.db.backends.sqlite3":
        values.update(KX_DB_VENDOR="sqlite", KX_SQLITE_PATH=str(db["NAME"]))
    elif engine == "django.db.backends.postgresql":
        values.update(
            KX_DB_VENDOR="postgresql",
            PGHOST=db.get("HOST") or "",
            PGPORT=str(db.get("PORT") or ""),
            PGUSER=db.get("USER") or "",
            PGPASSWORD=db.get("PASSWORD") or "",
            PGDATABASE=db["NAME"],
        )
        sslmode = db.get("OPTIONS", {}).get("sslmode")
        if sslmode:
            values["PGSSLMODE"] = sslmode
    else:
        values["KX_DB_VENDOR"] = engine
    for name, value in values.items():
        _say(f"export {name}={shlex.quote(value)}")


def _applied_migrations():
    from django.db import connection
    from django.db.migrations.recorder import MigrationRecorder

    applied = MigrationRecorder(connection).applied_migrations()
    return sorted(f"{app}.{name}" for app, name in applied)


def _git_commit():
    try:
        return subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return os.environ.get("KX_GIT_COMMIT", "unknown")


def manifest(folder):
    from django.conf import settings
    from django.db import connection

    folder = Path(folder)
    files = sorted(p.name for p in folder.iterdir() if p.is_file())
    data = {
        "format": 1,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "git_commit": _git_commit(),
        "database": {
            "vendor": connection.vendor,
            "name": str(settings.DATABASES["default"]["NAME"]),
            "server_version": _server_version(connection),
        },
        "media": {
            "root": str(settings.MEDIA_ROOT),
            "storage": settings.STORAGES["default"]["BACKEND"],
            "included": "media.tar" in files,
        },
        "migrations": _applied_migrations(),
        "files": files,
    }
    (folder / "manifest.json").write_text(json.dumps(data, indent=2) + "\n")


def _server_version(connection):
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        return str(connection.pg_version)
    return sqlite3.sqlite_version


def is_empty():
    from django.db import connection

    tables = connection.introspection.table_names()
    if tables:
        _say(f"{len(tables)} tables, among them {', '.join(sorted(tables)[:3])}")
        sys.exit(3)


def wipe():
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit("wipe is for PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA public CASCADE")
        cursor.execute("CREATE SCHEMA public")


def sqlite_copy(source, target):
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        with dst:
            src.backup(dst)
    finally:
        src.close()
        dst.close()


def migrations(folder):
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    backed_up = set(json.loads((Path(folder) / "manifest.json").read_text())["migrations"])
    known = {f"{app}.{name}" for app, name in MigrationLoader(connection).disk_migrations}
    unknown = sorted(backed_up - known)
    missing = sorted(known - backed_up)
    if unknown:
        _say(
            "WARNING: the backup has migrations this code does not know, so it was made by newer "
            f"code: {', '.join(unknown[:5])}{' …' if len(unknown) > 5 else ''}. "
            "Deploy that code (see the manifest's git_commit) before serving this database."
        )
    if missing:
        _say(
            f"This code has {len(missing)} migrations the backup lacks: "
            "run `python manage.py migrate` before serving."
        )


def main(argv):
    if not argv:
        raise SystemExit(__doc__)
    command, args = argv[0], argv[1:]
    if command in {"sqlite-backup", "sqlite-restore"}:
        sqlite_copy(*args)
        return
    _setup()
    commands = {
        "env": env,
        "manifest": manifest,
        "is-empty": is_empty,
        "wipe": wipe,
        "migrations": migrations,
    }
    if command not in commands:
        raise SystemExit(__doc__)
    commands[command](*args)


if __name__ == "__main__":
    main(sys.argv[1:])
