# Shared by backup.sh and restore.sh (sourced, not run).
# par's SQLAlchemy URL → a libpq URI in PG_URI, without the password, which goes to
# PGPASSWORD (so it never shows on a command line). A database name passes as is.
pg_connection() {
    PG_URI=$1
    case $1 in *://*) ;; *) return 0 ;; esac
    local scheme=${1%%://*} rest=${1#*://} authority path="" userinfo password
    scheme=${scheme%%+*}                                  # postgresql+psycopg → postgresql
    authority=${rest%%/*}
    if [ "$authority" != "$rest" ]; then path=/${rest#*/}; fi
    case $authority in
        *@*) userinfo=${authority%@*}
             case $userinfo in
                 *:*) password=$(printf '%s' "${userinfo#*:}" |
                                 sed 's/\\/\\\\/g; s/%\([0-9A-Fa-f][0-9A-Fa-f]\)/\\x\1/g')
                      PGPASSWORD=$(printf '%b' "$password")   # percent-decoded
                      export PGPASSWORD
                      authority=${userinfo%%:*}@${authority##*@} ;;
             esac ;;
    esac
    PG_URI=$scheme://$authority$path
}
bin() { if [ -n "${PG_BIN:-}" ]; then echo "$PG_BIN/$1"; else echo "$1"; fi; }
