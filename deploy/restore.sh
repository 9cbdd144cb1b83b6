#!/bin/bash
# Restore a backup made by deploy/backup.sh into an EMPTY PostgreSQL database.
#
#   deploy/restore.sh DUMP_FILE [DATABASE_URL]
#
#   DUMP_FILE     a par-*.dump file (pg_dump --format=custom)
#   DATABASE_URL  default $PAR_DATABASE_URL: par's SQLAlchemy URL
#                 (postgresql+psycopg://par:…@localhost/par) or any libpq URI or database name.
#                 Connect as the role par runs as (par), so the restored tables belong to it.
#   PG_BIN        environment, optional: the directory of pg_restore/psql (default: PATH)
#
# Refuses a database that already has tables (it never overwrites: create an empty one,
# or drop the old one, first). Restores in one transaction: all of it, or nothing.
set -eu

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: restore.sh DUMP_FILE [DATABASE_URL]" >&2
    exit 2
fi
dump=$1
url=${2:-${PAR_DATABASE_URL:-}}
if [ ! -r "$dump" ]; then
    echo "restore.sh: cannot read $dump" >&2
    exit 2
fi
if [ -z "$url" ]; then
    echo "restore.sh: no database: give its URL or set PAR_DATABASE_URL" >&2
    exit 2
fi
case $url in
    sqlite*) echo "restore.sh: $url is SQLite (the sample), not PostgreSQL" >&2; exit 2 ;;
esac

# shellcheck source=pg-lib.sh
. "$(dirname "$0")/pg-lib.sh"  # pg_connection (URL → PG_URI, PGPASSWORD), bin
pg_connection "$url"
sql() { "$(bin psql)" --no-password --no-psqlrc --quiet --tuples-only --no-align \
            --set ON_ERROR_STOP=1 --dbname="$PG_URI" --command="$1"; }

"$(bin pg_restore)" --list "$dump" >/dev/null   # a readable custom-format dump
tables=$(sql "SELECT count(*) FROM pg_catalog.pg_tables
              WHERE schemaname NOT IN ('pg_catalog', 'information_schema')")
if [ "$tables" != "0" ]; then
    echo "restore.sh: the database already has $tables table(s); restore only into an empty" \
         "database (createdb, or dropdb and createdb, first). Nothing was changed." >&2
    exit 1
fi
"$(bin pg_restore)" --no-password --exit-on-error --single-transaction --no-owner \
    --no-privileges --dbname="$PG_URI" "$dump"
echo "restored $dump:" \
     "$(sql 'SELECT count(*) FROM users') account(s)," \
     "$(sql 'SELECT count(*) FROM submissions') submission(s)," \
     "$(sql 'SELECT count(*) FROM audit_log') audit entries"
