#!/usr/bin/env bash
# Start or stop a throwaway PostgreSQL server for the test suite.
#   scripts/postgres.sh start DIR PORT   -> server listens on 127.0.0.1:PORT, data in DIR/data
#   scripts/postgres.sh stop DIR                  -> stops it at once (immediate: the data is thrown away,
#                                                    so no shutdown checkpoint writes it out first)
#   scripts/postgres.sh halt DIR fast|immediate   -> stops the server with that shutdown mode (an outage)
#   scripts/postgres.sh resume DIR                -> starts the halted server again on its port
# Uses the installed PostgreSQL (15 on this project's machines); when initdb is missing
# and we are root, installs the distribution's postgresql package (non-interactive).
# initdb/postgres refuse to run as root, so as root they run as the `postgres` user;
# DIR's parent folders must then be reachable (o+x) by that user.
# Logs: DIR/initdb.log, DIR/server.log (printed on a failed start).
set -euo pipefail
cmd=${1:?start|stop}; dir=${2:?data folder}; port=${3:-55432}

case "$dir" in
  /|/tmp|/tmp/|"$HOME"|"$HOME/") echo "postgres.sh: refusing data folder '$dir'" >&2; exit 2 ;;
esac

find_bin() {
  local candidate
  for candidate in "$(command -v "$1" 2>/dev/null)" /usr/lib/postgresql/*/bin/"$1"; do
    [ -n "$candidate" ] && [ -x "$candidate" ] && { echo "$candidate"; return 0; }
  done
  return 1
}

as_pg() {
  if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi
}

show_log() {
  local file=$1
  if [ -f "$file" ]; then
    echo "---- last lines of $file ----" >&2
    tail -n 30 "$file" >&2
  fi
}

# start_server PORT: pg_ctl start with the settings of the test server. Commits are durable as in
# production (fsync on). Checkpoints are spaced out: the suite creates a few hundred databases, and a
# checkpoint in the middle of it fsyncs every file of each (tens of thousands, a minute of I/O here).
start_server() {
  as_pg "'$PGCTL' -D '$dir/data' -l '$dir/server.log' -w -t 60 -o \"-p $1 -k /tmp -c listen_addresses=127.0.0.1 -c max_connections=1000 -c fsync=on -c synchronous_commit=on -c max_wal_size=8GB -c checkpoint_timeout=30min\" start >/dev/null"
}

case "$cmd" in
start)
  if ! find_bin initdb >/dev/null; then
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
      echo "postgres.sh: initdb not found; install PostgreSQL (e.g. apt-get install postgresql)" >&2
      exit 1
    fi
    echo "initdb not found: installing the postgresql package" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
  INITDB=$(find_bin initdb); PGCTL=$(find_bin pg_ctl)
  if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then useradd --system --create-home postgres; fi
  rm -rf "$dir"; mkdir -p "$dir"
  if [ "$(id -u)" = 0 ]; then
    chown postgres "$dir"
    if ! as_pg "test -w '$dir'"; then
      echo "postgres.sh: the postgres user cannot write to $dir (make its parent folders o+x)" >&2
      exit 1
    fi
  fi
  if ! as_pg "'$INITDB' -D '$dir/data' -U postgres --auth=trust -E UTF8 >'$dir/initdb.log' 2>&1"; then
    echo "postgres.sh: initdb failed" >&2; show_log "$dir/initdb.log"; exit 1
  fi
  echo "$port" > "$dir/port"
  if ! start_server "$port"; then
    echo "postgres.sh: the server did not start on port $port" >&2; show_log "$dir/server.log"; exit 1
  fi
  ;;
halt)
  mode=${3:?halt DIR fast|immediate}
  PGCTL=$(find_bin pg_ctl)
  as_pg "'$PGCTL' -D '$dir/data' -m $mode -w -t 60 stop >/dev/null"
  ;;
resume)
  PGCTL=$(find_bin pg_ctl)
  if ! start_server "$(cat "$dir/port")"; then
    echo "postgres.sh: the server did not start again" >&2; show_log "$dir/server.log"; exit 1
  fi
  ;;
stop)
  if [ -d "$dir/data" ] && PGCTL=$(find_bin pg_ctl); then
    as_pg "'$PGCTL' -D '$dir/data' -m immediate -w -t 60 stop >/dev/null 2>&1" || true
  fi
  ;;
*) echo "usage: $0 start|stop|halt|resume DIR [PORT|MODE]" >&2; exit 2 ;;
esac
