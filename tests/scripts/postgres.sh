#!/usr/bin/env bash
# Installs (when missing) and starts a throwaway PostgreSQL cluster on loopback for the tests.
# Prints the connection string on stdout; everything else goes to stderr.
set -euo pipefail
PORT="${MAILRAPPORT_PG_PORT:-55432}"
DATA="${MAILRAPPORT_PG_DATA:-/tmp/mailrapport-pg}"
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)
if [ -z "$BIN" ] || [ ! -x "$BIN/initdb" ]; then
  echo "postgres: installing with apt-get" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >&2
  BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
fi
id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
as_pg() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi; }
if ! as_pg "$BIN/pg_isready -h 127.0.0.1 -p $PORT" >/dev/null 2>&1; then
  if [ ! -f "$DATA/PG_VERSION" ]; then
    rm -rf "$DATA"; mkdir -p "$DATA"; chown postgres "$DATA" 2>/dev/null || true
    as_pg "$BIN/initdb -D $DATA -U postgres --auth=trust -E UTF8" >&2
  fi
  as_pg "$BIN/pg_ctl -D $DATA -l $DATA/log -w -o '-p $PORT -k /tmp -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off' start" >&2
fi
echo "Host=127.0.0.1;Port=$PORT;Username=postgres;Database=postgres;Pooling=true;Maximum Pool Size=50"
