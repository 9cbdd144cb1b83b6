#!/bin/bash
# Back up par's PostgreSQL database with pg_dump (custom format), keeping KEEP_DAYS days.
#
#   deploy/backup.sh [DATABASE_URL] [OUTPUT_DIR]
#
#   DATABASE_URL  default $PAR_DATABASE_URL: par's SQLAlchemy URL
#                 (postgresql+psycopg://par:…@localhost/par) or any libpq URI or database name
#   OUTPUT_DIR    default $BACKUP_DIR, else /var/backups/par
#   KEEP_DAYS     environment, default 14: older par-*.dump files in OUTPUT_DIR are deleted,
#                 only after a new backup was written and read back
#   PG_BIN        environment, optional: the directory of pg_dump/pg_restore
#                 (default: those on PATH; on Debian, /usr/lib/postgresql/15/bin)
#
# Writes OUTPUT_DIR/par-YYYYMMDDTHHMMSSZ.dump (mode 0600: it holds password hashes) and
# prints its path. A password in the URL is passed to pg_dump in PGPASSWORD, never on its
# command line. No network access beyond the database; nothing else is written.
set -eu
umask 077

url=${1:-${PAR_DATABASE_URL:-}}
out=${2:-${BACKUP_DIR:-/var/backups/par}}
keep=${KEEP_DAYS:-14}
if [ -z "$url" ]; then
    echo "backup.sh: no database: give its URL or set PAR_DATABASE_URL" >&2
    exit 2
fi
case $keep in
    ''|*[!0-9]*) echo "backup.sh: KEEP_DAYS must be a whole number of days, not '$keep'" >&2
                 exit 2 ;;
esac
case $url in
    sqlite*) echo "backup.sh: $url is SQLite (the sample), not PostgreSQL" >&2; exit 2 ;;
esac

# shellcheck source=pg-lib.sh
. "$(dirname "$0")/pg-lib.sh"  # pg_connection (URL → PG_URI, PGPASSWORD), bin
pg_connection "$url"

mkdir -p "$out"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
file="$out/par-$stamp.dump"
partial="$file.partial"
trap 'rm -f "$partial"' EXIT
"$(bin pg_dump)" --format=custom --compress=6 --no-password --file="$partial" \
    --dbname="$PG_URI"
"$(bin pg_restore)" --list "$partial" >/dev/null   # readable, not truncated
mv "$partial" "$file"
trap - EXIT

# rotation: only par-*.dump files, only older than KEEP_DAYS, never the one just written
find "$out" -maxdepth 1 -type f -name 'par-*.dump' ! -path "$file" -mtime +"$keep" \
    -print -delete | sed 's/^/deleted old backup: /' >&2
echo "$file"
