#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into the database and media folder that the
# settings name (DATABASE_URL, MEDIA_ROOT).
#
#   scripts/restore.sh [--force] [FOLDER]    (make restore BACKUP=FOLDER [FORCE=1])
#
# FOLDER defaults to the newest complete backup under BACKUP_DIR [var/backups]. The checksums
# are verified first. A database that already has tables, or a media folder that already has
# files, is refused unless --force: then every table of the database is dropped first (on
# PostgreSQL, the public schema; on SQLite, the file's contents are replaced) and the media
# files are written over the folder's (files that the backup lacks stay).
# The database must exist (on PostgreSQL, create it empty first: createdb -O ROLE NAME).
set -euo pipefail
cd "$(dirname "$0")/.."

force=
folder=
for arg in "$@"; do
    case "$arg" in
    --force) force=1 ;;
    -h | --help)
        sed -n '2,12p' "$0"
        exit 0
        ;;
    -*)
        echo "Unknown option $arg" >&2
        exit 2
        ;;
    *) folder=$arg ;;
    esac
done

if [ -z "${PYTHON:-}" ]; then
    if [ -x .venv/bin/python ]; then PYTHON=.venv/bin/python; else PYTHON=python; fi
fi
helper() { "$PYTHON" scripts/backup_helper.py "$@"; }

if [ -z "$folder" ]; then
    backup_dir=${BACKUP_DIR:-var/backups}
    folder=$(find "$backup_dir" -mindepth 1 -maxdepth 1 -type d -name 'kx-*' ! -name '*.partial' \
        2>/dev/null | sort | tail -n 1)
    [ -n "$folder" ] || { echo "No backup found under $backup_dir" >&2; exit 1; }
fi
[ -f "$folder/manifest.json" ] || { echo "$folder is not a complete backup" >&2; exit 1; }

echo "--- checking $folder"
(cd "$folder" && sha256sum --quiet --check SHA256SUMS)

settings=$(helper env)
eval "$settings"

if [ -f "$folder/database.dump" ]; then
    [ "$KX_DB_VENDOR" = postgresql ] \
        || { echo "This backup is of PostgreSQL; the target is $KX_DB_VENDOR." >&2; exit 1; }
elif [ -f "$folder/database.sqlite3" ]; then
    [ "$KX_DB_VENDOR" = sqlite ] \
        || { echo "This backup is of SQLite; the target is $KX_DB_VENDOR." >&2; exit 1; }
else
    echo "$folder holds no database" >&2
    exit 1
fi

# Refuse before changing anything.
refuse=
if [ "$KX_DB_VENDOR" = postgresql ] || [ -f "$KX_SQLITE_PATH" ]; then
    status=0
    found=$(helper is-empty) || status=$?
    case $status in
    0) ;;
    3)
        echo "The database is not empty: $found."
        refuse=1
        ;;
    *) exit "$status" ;;
    esac
fi
restore_media=
if [ -f "$folder/media.tar" ]; then
    if [ "$KX_MEDIA_STORAGE" != django.core.files.storage.FileSystemStorage ]; then
        echo "The backup has media files but media are in object storage ($KX_MEDIA_STORAGE):" \
            "unpack media.tar into the bucket yourself." >&2
    else
        restore_media=1
        if [ -n "$(ls -A "$KX_MEDIA_ROOT" 2>/dev/null)" ]; then
            echo "The media folder $KX_MEDIA_ROOT is not empty."
            refuse=1
        fi
    fi
fi
if [ -n "$refuse" ] && [ -z "$force" ]; then
    echo "Refusing to restore over existing data: run again with --force to replace it." >&2
    exit 3
fi

case "$KX_DB_VENDOR" in
postgresql)
    if [ -n "$force" ]; then
        echo "--- dropping every table of $PGDATABASE"
        helper wipe
    fi
    echo "--- database $PGDATABASE: pg_restore"
    pg_restore --no-owner --no-privileges --exit-on-error --single-transaction \
        --dbname="$PGDATABASE" "$folder/database.dump"
    ;;
sqlite)
    echo "--- database $KX_SQLITE_PATH"
    mkdir -p "$(dirname "$KX_SQLITE_PATH")"
    helper sqlite-restore "$folder/database.sqlite3" "$KX_SQLITE_PATH"
    ;;
esac

if [ -n "$restore_media" ]; then
    echo "--- media $KX_MEDIA_ROOT"
    mkdir -p "$KX_MEDIA_ROOT"
    tar -C "$KX_MEDIA_ROOT" --no-same-owner -xf "$folder/media.tar"
fi

helper migrations "$folder"
echo "Restored $folder. The search index is not in backups: rebuild it with" \
    "\`python manage.py search_index --rebuild\`."
