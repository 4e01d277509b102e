#!/usr/bin/env bash
# Start or stop a throwaway PostgreSQL 15 server for the test suite.
#   scripts/postgres.sh start DIR PORT   -> prints nothing, server listens on 127.0.0.1:PORT
#   scripts/postgres.sh stop DIR
# initdb/postgres refuse to run as root, so as root they run as the `postgres` user.
set -euo pipefail
cmd=${1:?start|stop}; dir=${2:?data folder}; port=${3:-55432}

find_bin() {
  for candidate in "$(command -v "$1" 2>/dev/null)" /usr/lib/postgresql/*/bin/"$1"; do
    [ -n "$candidate" ] && [ -x "$candidate" ] && { echo "$candidate"; return 0; }
  done
  return 1
}

as_pg() {
  if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi
}

case "$cmd" in
start)
  if ! find_bin initdb >/dev/null; then
    echo "initdb not found: installing the postgresql package" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
  INITDB=$(find_bin initdb); PGCTL=$(find_bin pg_ctl)
  if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then useradd --system --create-home postgres; fi
  rm -rf "$dir"; mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres "$dir"
  as_pg "'$INITDB' -D '$dir/data' -U postgres --auth=trust -E UTF8 >'$dir/initdb.log' 2>&1"
  as_pg "'$PGCTL' -D '$dir/data' -l '$dir/server.log' -w -o \"-p $port -k /tmp -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=on -c synchronous_commit=on\" start >/dev/null"
  ;;
stop)
  PGCTL=$(find_bin pg_ctl)
  [ -d "$dir/data" ] && as_pg "'$PGCTL' -D '$dir/data' -m fast -w stop >/dev/null" || true
  ;;
*) echo "usage: $0 start|stop DIR [PORT]" >&2; exit 2 ;;
esac
