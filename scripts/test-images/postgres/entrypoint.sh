#!/bin/sh
# PostgreSQL for agentcheck's Docker tests, configured the way the official postgres image is:
#   POSTGRES_PASSWORD  the superuser's password (required unless POSTGRES_HOST_AUTH_METHOD=trust)
#   POSTGRES_USER      the superuser (default postgres)
#   POSTGRES_DB        a database created at first start (default: POSTGRES_USER)
#   POSTGRES_INITDB_ARGS, POSTGRES_HOST_AUTH_METHOD (default scram-sha-256), PGDATA, PGPORT
# Arguments starting with "-" are postgres options ("-c fsync=off", "-p 5433"). The server
# listens on every address on PGPORT (5432); with host networking pass "-c listen_addresses=..."
# and a port of your own. Scripts in /docker-entrypoint-initdb.d are not supported.
set -eu

case "${1:-}" in
  -*) set -- postgres "$@" ;;
esac
if [ "${1:-}" != postgres ] || [ "$(id -u)" != 0 ]; then
  exec "$@"
fi

user=${POSTGRES_USER:-postgres}
db=${POSTGRES_DB:-$user}
auth=${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}
export PGDATA="${PGDATA:-/var/lib/postgresql/data}"
as_postgres() { setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }

mkdir -p "$PGDATA" /run/postgresql
chown postgres:postgres "$PGDATA" /run/postgresql
chmod 700 "$PGDATA"

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "$auth" != trust ]; then
    echo "entrypoint: POSTGRES_PASSWORD is not set (set it, or POSTGRES_HOST_AUTH_METHOD=trust)" >&2
    exit 1
  fi
  pwfile=$(mktemp)
  printf '%s\n' "${POSTGRES_PASSWORD:-}" > "$pwfile"
  chown postgres "$pwfile"
  # shellcheck disable=SC2086  # POSTGRES_INITDB_ARGS is a list of options, as upstream reads it
  as_postgres initdb --username="$user" --pwfile="$pwfile" --auth-local=trust \
    --auth-host="$auth" --encoding=UTF8 ${POSTGRES_INITDB_ARGS:-} >/dev/null
  rm -f "$pwfile"
  echo "listen_addresses = '*'" >> "$PGDATA/postgresql.conf"
  echo "host all all all $auth" >> "$PGDATA/pg_hba.conf"
  if [ "$db" != postgres ]; then
    # Single-user mode: no server to start and stop, no port taken before the real one; -F:
    # no fsync for a database that is still empty.
    printf 'CREATE DATABASE "%s";\n' "$(printf '%s' "$db" | sed 's/"/""/g')" \
      | as_postgres postgres --single -j -F -D "$PGDATA" postgres >/dev/null
  fi
  echo "entrypoint: initialised $PGDATA (user $user, database $db)"
fi

exec setpriv --reuid=postgres --regid=postgres --init-groups "$@"
