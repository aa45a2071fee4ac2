#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL cluster on a free loopback port:
#   scripts/with-postgres.sh .venv/bin/pytest tests/portal
# Exports PORTAL_TEST_DATABASE_URL and PORTAL_TEST_PG_BIN (the server's client programs, for
# pg_dump / pg_restore) for the command; the cluster is deleted afterwards, also on failure.
# As root the server runs as the "postgres" user (PostgreSQL refuses to run as root); otherwise as
# the calling user. The command itself runs as the caller. Its exit status is returned.
set -euo pipefail
PG_BIN=${PORTAL_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)}
if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/pg_ctl" ]; then echo "with-postgres: PostgreSQL is not installed" >&2; exit 1; fi
PY=$(command -v python3 || command -v python || echo "$(dirname "$0")/../.venv/bin/python")
PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
DIR=$(mktemp -d "${TMPDIR:-/tmp}/portal-pg.XXXXXX")
RUN=()
if [ "$(id -u)" = 0 ]; then
  if ! id postgres >/dev/null 2>&1; then echo "with-postgres: running as root needs a 'postgres' user" >&2; exit 1; fi
  chown postgres "$DIR"
  if command -v runuser >/dev/null 2>&1; then RUN=(runuser -u postgres --); else RUN=(setpriv --reuid=postgres --regid=postgres --init-groups); fi
fi
cleanup() {
  "${RUN[@]}" "$PG_BIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap cleanup EXIT INT TERM
"${RUN[@]}" "$PG_BIN/initdb" -D "$DIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 \
  || { cat "$DIR/initdb.log" >&2; exit 1; }
if ! "${RUN[@]}" "$PG_BIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w -t 60 \
  -o "-h 127.0.0.1 -p $PORT -k $DIR -c fsync=off -c max_connections=300" start >/dev/null; then
  echo "with-postgres: the server did not start:" >&2; cat "$DIR/log" >&2; exit 1
fi
export PORTAL_TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$PORT/postgres"
export PORTAL_TEST_PG_BIN="$PG_BIN"
status=0
"$@" || status=$?
exit $status
