#!/usr/bin/env bash
# Back up KX: the database and the media files, into one timestamped folder.
#
#   scripts/backup.sh            (make backup)
#
# Reads the same settings as the site (DATABASE_URL, MEDIA_ROOT, DJANGO_SETTINGS_MODULE).
# Writes BACKUP_DIR/kx-YYYYMMDDTHHMMSSZ/ [BACKUP_DIR: var/backups] holding
#   database.dump     PostgreSQL: pg_dump --format=custom (pg_dump must match the server's major)
#   database.sqlite3  SQLite: a copy made with SQLite's online backup
#   media.tar         the media folder, when media live on local disk
#   manifest.json     time, git commit, the migrations applied, what is in the folder
#   SHA256SUMS        checked by scripts/restore.sh before it touches anything
# The folder is named kx-….partial until everything is written. Backups hold everything the site
# holds, OFFICIAL-SENSITIVE content and personal data included: they are written readable by
# their owner only; keep them encrypted and off the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
umask 077

if [ -z "${PYTHON:-}" ]; then
    if [ -x .venv/bin/python ]; then PYTHON=.venv/bin/python; else PYTHON=python; fi
fi
helper() { "$PYTHON" scripts/backup_helper.py "$@"; }

settings=$(helper env)
eval "$settings"

backup_dir=${BACKUP_DIR:-var/backups}
name=kx-$(date -u +%Y%m%dT%H%M%SZ)
partial=$backup_dir/$name.partial
mkdir -p "$backup_dir"
mkdir "$partial"
trap 'rm -rf "$partial"' EXIT

case "$KX_DB_VENDOR" in
postgresql)
    echo "--- database $PGDATABASE: pg_dump"
    pg_dump --format=custom --file="$partial/database.dump" --dbname="$PGDATABASE"
    ;;
sqlite)
    echo "--- database $KX_SQLITE_PATH: SQLite backup"
    [ -f "$KX_SQLITE_PATH" ] || { echo "No database at $KX_SQLITE_PATH" >&2; exit 1; }
    helper sqlite-backup "$KX_SQLITE_PATH" "$partial/database.sqlite3"
    ;;
*)
    echo "Cannot back up a database of kind $KX_DB_VENDOR" >&2
    exit 1
    ;;
esac

# After the database, so that every file the dump names is in the tar (save one deleted between).
if [ "$KX_MEDIA_STORAGE" = django.core.files.storage.FileSystemStorage ]; then
    if [ -d "$KX_MEDIA_ROOT" ]; then
        echo "--- media $KX_MEDIA_ROOT"
        tar -C "$KX_MEDIA_ROOT" -cf "$partial/media.tar" .
    else
        echo "--- media: no folder at $KX_MEDIA_ROOT, nothing to save"
    fi
else
    # Object storage keeps its own copies: turn on the bucket's versioning (or replication)
    # and keep the versions at least as long as these backups.
    echo "--- media are in object storage ($KX_MEDIA_STORAGE): not in this backup"
fi

helper manifest "$partial"
(cd "$partial" && sha256sum -- * >SHA256SUMS)
mv "$partial" "$backup_dir/$name"
trap - EXIT
echo "Backup written to $backup_dir/$name"
