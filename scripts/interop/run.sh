#!/usr/bin/env bash
# Interoperability checks between dbos-transact-swift and DBOS Transact Python 3.4.0.
#
#   scripts/interop/run.sh PGURL_BASE
#
# PGURL_BASE is a PostgreSQL server URL with a superuser, e.g.
# postgresql://postgres@127.0.0.1:55433/postgres; each check creates (and drops)
# its own databases on it. SQLite files go to a temporary folder.
#
# Needs, and takes from the environment when set:
#   DBOS_VENV   virtualenv with dbos==3.4.0 (default: <repo>/.venv-dbos)
#   SWIFT_BIN   folder with the built dbos-swift, dbos-test-fixture and dbos-interop-worker
#               (default: `swift build --show-bin-path`; nothing is rebuilt here)
#   VERBOSE=1   show every check's details, not only those of failed checks
#   ONLY=REGEX  run only the checks whose name matches (grep -E), e.g. ONLY='worker|pickle'
#   KEEP_DATABASES=1  leave the checks' databases on the server (scripts/test.sh: its server is
#               thrown away, and each DROP DATABASE waits for a checkpoint of everything written)
#
# Prints `PASS name` or `FAIL name: reason` per check, then `interop: N passed, M failed`.
# Exits 1 when any check failed, 2 on a usage error.
set -uo pipefail

BASE=${1:-}
if [ -z "$BASE" ]; then
  echo "usage: $0 postgresql://USER@HOST:PORT[/DB]" >&2
  exit 2
fi

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
VENV=${DBOS_VENV:-$ROOT/.venv-dbos}
PY="$VENV/bin/python"
DBOS_CLI="$VENV/bin/dbos"
if [ -z "${SWIFT_BIN:-}" ]; then
  SWIFT_BIN=$(cd "$ROOT" && swift build --show-bin-path 2>/dev/null) || SWIFT_BIN="$ROOT/.build/debug"
fi
SWIFT_CLI="$SWIFT_BIN/dbos-swift"
FIXTURE="$SWIFT_BIN/dbos-test-fixture"
WORKER="$SWIFT_BIN/dbos-interop-worker"
VERBOSE=${VERBOSE:-0}
STEPS=3

if [ ! -x "$PY" ] || [ ! -x "$DBOS_CLI" ]; then
  echo "FAIL interop-setup: no DBOS Python virtualenv at $VENV (scripts/test.sh creates it)"
  echo "interop: 0 passed, 1 failed"
  exit 1
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/dbos-interop.XXXXXX")
RUN_ID="i$$_$(date +%s)"
DATABASES=()
cleanup() {
  if [ ${#DATABASES[@]} -gt 0 ] && [ "${KEEP_DATABASES:-0}" != 1 ]; then
    "$PY" "$HERE/pgdb.py" drop "$BASE" "${DATABASES[@]}" >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

PASSED=0
FAILED=0
FAILED_NAMES=()
LOG="$WORK/check.log"

# The reason a check failed; set by the steps below.
REASON=""

# newdb NAME -> sets DB_URL to a fresh database (dropped again on exit)
DB_URL=""
newdb() {
  local name="dbos_${RUN_ID}_$1"
  DATABASES+=("$name")
  if ! DB_URL=$("$PY" "$HERE/pgdb.py" create "$BASE" "$name" 2>"$WORK/newdb.err"); then
    REASON="could not create database $name on $BASE: $(tail -n 1 "$WORK/newdb.err")"
    return 1
  fi
}

# keep_output FILE -> appends the interesting tail of a command's output to the check's log
keep_output() {
  grep -v -E 'Applying DBOS .*migration|Migration [0-9]+ skipped' "$1" | tail -n 25 | sed 's/^/    /' >>"$LOG" || true
}

# step DESCRIPTION COMMAND... -> runs COMMAND with its output in the check's log;
# on failure sets REASON to the description plus the last line of output.
step() {
  local what=$1; shift
  echo "\$ $what" >>"$LOG"
  local out="$WORK/step.out"
  if timeout --foreground --kill-after=10 300 "$@" >"$out" 2>&1; then
    keep_output "$out"
    return 0
  else
    local rc=$?
    keep_output "$out"
    local last
    last=$(grep -v '^[[:space:]]*$' "$out" | tail -n 1 | cut -c1-300)
    if [ $rc = 124 ]; then REASON="$what timed out after 300s"; else REASON="$what failed (exit $rc): ${last:-no output}"; fi
    return 1
  fi
}

# check NAME FUNCTION -> runs FUNCTION, prints PASS/FAIL and details
check() {
  local name=$1 fn=$2
  if [ -n "${ONLY:-}" ] && ! grep -qE -- "$ONLY" <<<"$name"; then return 0; fi
  : >"$LOG"
  REASON=""
  if "$fn" && [ -z "$REASON" ]; then
    PASSED=$((PASSED + 1))
    echo "PASS $name"
    [ "$VERBOSE" = 1 ] && sed 's/^/    /' "$LOG"
  else
    FAILED=$((FAILED + 1))
    FAILED_NAMES+=("$name")
    echo "FAIL $name: ${REASON:-see details}"
    sed 's/^/    /' "$LOG" | tail -n 60
  fi
  return 0
}

need_binary() {
  if [ ! -x "$1" ]; then
    REASON="$(basename "$1") is not built (looked for $1; run swift build)"
    return 1
  fi
}

sqlite_url() { echo "sqlite:///$1"; }   # $1 is absolute, so this gives sqlite:////abs/path

# run_fixture URL ID -> runs dbos-test-fixture, sets FIXTURE_RESULT to the JSON after RESULT
FIXTURE_RESULT=""
run_fixture() {
  local url=$1 id=$2
  need_binary "$FIXTURE" || return 1
  step "dbos-test-fixture --database-url $url --workflow-id $id --steps $STEPS" \
    "$FIXTURE" --database-url "$url" --workflow-id "$id" --steps "$STEPS" --counter-file "$WORK/$id.counter" || return 1
  FIXTURE_RESULT=$(grep '^RESULT ' "$WORK/step.out" | tail -n 1 | cut -c8-)
  if [ -z "$FIXTURE_RESULT" ]; then
    REASON="dbos-test-fixture printed no 'RESULT <json>' line"
    return 1
  fi
  if [ -f "$WORK/$id.counter" ]; then
    echo "    counter file: $(head -c 200 "$WORK/$id.counter" | tr '\n' ' ')" >>"$LOG"
  fi
  return 0
}

# ------------------------------------------------------------------ checks

# a. Python and Swift create the same PostgreSQL schema, and each accepts the other's.
check_schema_postgres() {
  need_binary "$SWIFT_CLI" || return 1
  local py sw
  newdb schema_py || return 1; py=$DB_URL
  newdb schema_sw || return 1; sw=$DB_URL
  step "dbos migrate -s $py" "$DBOS_CLI" migrate -s "$py" || return 1
  step "dbos-swift migrate --database-url $sw" "$SWIFT_CLI" migrate --database-url "$sw" || return 1
  step "compare schemas (python vs swift)" "$PY" "$HERE/compare_schema.py" postgres "$py" "$sw" || return 1
  # Each side must treat the other's schema as current and leave it alone.
  step "dbos-swift migrate on the Python schema" "$SWIFT_CLI" migrate --database-url "$py" || return 1
  step "dbos migrate on the Swift schema" "$DBOS_CLI" migrate -s "$sw" || return 1
  step "compare schemas after cross-migration" "$PY" "$HERE/compare_schema.py" postgres "$py" "$sw" || return 1
}

# b. The same on SQLite.
check_schema_sqlite() {
  need_binary "$SWIFT_CLI" || return 1
  local py="$WORK/schema_py.sqlite" sw="$WORK/schema_sw.sqlite"
  step "dbos migrate -s $(sqlite_url "$py")" "$DBOS_CLI" migrate -s "$(sqlite_url "$py")" || return 1
  step "dbos-swift migrate --database-url $(sqlite_url "$sw")" "$SWIFT_CLI" migrate --database-url "$(sqlite_url "$sw")" || return 1
  step "compare schemas (python vs swift)" "$PY" "$HERE/compare_schema.py" sqlite "$(sqlite_url "$py")" "$(sqlite_url "$sw")" || return 1
  step "dbos-swift migrate on the Python file" "$SWIFT_CLI" migrate --database-url "$(sqlite_url "$py")" || return 1
  step "dbos migrate on the Swift file" "$DBOS_CLI" migrate -s "$(sqlite_url "$sw")" || return 1
  step "compare schemas after cross-migration" "$PY" "$HERE/compare_schema.py" sqlite "$(sqlite_url "$py")" "$(sqlite_url "$sw")" || return 1
}

# c. A workflow run by Swift (on a schema Swift created) as seen by DBOS Python.
SWIFT_PG_URL=""; SWIFT_PG_RESULT=""; SWIFT_SQLITE_URL=""; SWIFT_SQLITE_RESULT=""
check_python_reads_swift_postgres() {
  newdb swift_run || return 1; SWIFT_PG_URL=$DB_URL
  run_fixture "$SWIFT_PG_URL" "swift-pg-1" || { SWIFT_PG_URL=""; return 1; }
  SWIFT_PG_RESULT=$FIXTURE_RESULT
  step "dbos workflow list/get/steps" "$PY" "$HERE/check_workflow.py" cli --url "$SWIFT_PG_URL" \
    --workflow-id swift-pg-1 --name fixtureWorkflow --steps "$STEPS"
}
check_python_client_postgres() {
  [ -n "$SWIFT_PG_URL" ] || { REASON="no Swift-run database (python-reads-swift-postgres failed)"; return 1; }
  step "DBOSClient list_workflows / get_result" "$PY" "$HERE/check_workflow.py" client --url "$SWIFT_PG_URL" \
    --workflow-id swift-pg-1 --serialization portable_json --expected-result "$SWIFT_PG_RESULT"
}
check_python_reads_swift_sqlite() {
  SWIFT_SQLITE_URL=$(sqlite_url "$WORK/swift_run.sqlite")
  run_fixture "$SWIFT_SQLITE_URL" "swift-sqlite-1" || { SWIFT_SQLITE_URL=""; return 1; }
  SWIFT_SQLITE_RESULT=$FIXTURE_RESULT
  step "dbos workflow list/get/steps" "$PY" "$HERE/check_workflow.py" cli --url "$SWIFT_SQLITE_URL" \
    --workflow-id swift-sqlite-1 --name fixtureWorkflow --steps "$STEPS"
}
check_python_client_sqlite() {
  [ -n "$SWIFT_SQLITE_URL" ] || { REASON="no Swift-run database (python-reads-swift-sqlite failed)"; return 1; }
  step "DBOSClient list_workflows / get_result" "$PY" "$HERE/check_workflow.py" client --url "$SWIFT_SQLITE_URL" \
    --workflow-id swift-sqlite-1 --serialization portable_json --expected-result "$SWIFT_SQLITE_RESULT"
}

# d. Swift runs on a database that DBOS Python created.
check_swift_on_python_schema_postgres() {
  local url
  newdb python_schema || return 1; url=$DB_URL
  step "dbos migrate -s $url" "$DBOS_CLI" migrate -s "$url" || return 1
  run_fixture "$url" "swift-on-py-1" || return 1
  step "dbos workflow list/get/steps" "$PY" "$HERE/check_workflow.py" cli --url "$url" \
    --workflow-id swift-on-py-1 --name fixtureWorkflow --steps "$STEPS" || return 1
  step "DBOSClient get_result" "$PY" "$HERE/check_workflow.py" client --url "$url" \
    --workflow-id swift-on-py-1 --serialization portable_json --expected-result "$FIXTURE_RESULT"
}
check_swift_on_python_schema_sqlite() {
  local url
  url=$(sqlite_url "$WORK/python_schema.sqlite")
  step "dbos migrate -s $url" "$DBOS_CLI" migrate -s "$url" || return 1
  run_fixture "$url" "swift-on-py-sqlite-1" || return 1
  step "dbos workflow list/get/steps" "$PY" "$HERE/check_workflow.py" cli --url "$url" \
    --workflow-id swift-on-py-sqlite-1 --name fixtureWorkflow --steps "$STEPS" || return 1
  step "DBOSClient get_result" "$PY" "$HERE/check_workflow.py" client --url "$url" \
    --workflow-id swift-on-py-sqlite-1 --serialization portable_json --expected-result "$FIXTURE_RESULT"
}

# e. dbos-swift lists a workflow that DBOS Python ran (portable_json).
check_swift_reads_python_postgres() {
  need_binary "$SWIFT_CLI" || return 1
  local url
  newdb python_run || return 1; url=$DB_URL
  step "python fixtureWorkflow (portable_json)" "$PY" "$HERE/pydbos_fixture.py" --database-url "$url" \
    --workflow-id py-pg-1 --steps "$STEPS" || return 1
  step "dbos-swift workflow list --database-url $url --json" "$SWIFT_CLI" workflow list --database-url "$url" --json || return 1
  cp "$WORK/step.out" "$WORK/swift-list.json"
  step "find py-pg-1 (SUCCESS) in dbos-swift's JSON" "$PY" - "$WORK/swift-list.json" py-pg-1 <<'PYEOF'
import json, sys
text = open(sys.argv[1]).read()
start = min([i for i in (text.find("["), text.find("{")) if i >= 0], default=-1)
if start < 0:
    sys.exit("dbos-swift printed no JSON")
data = json.JSONDecoder().raw_decode(text[start:])[0]
rows = data if isinstance(data, list) else next((v for v in data.values() if isinstance(v, list)), [])
def values(obj):
    return [str(v) for v in obj.values()] if isinstance(obj, dict) else []
match = [r for r in rows if sys.argv[2] in values(r)]
if not match:
    sys.exit(f"{sys.argv[2]} is not in dbos-swift workflow list ({len(rows)} rows)")
if "SUCCESS" not in values(match[0]) or "fixtureWorkflow" not in values(match[0]):
    sys.exit(f"row for {sys.argv[2]} lacks status SUCCESS / name fixtureWorkflow: {match[0]}")
print("found:", match[0])
PYEOF
}

# f. Durable messaging: DBOS Python's DBOSClient sends to a waiting Swift DBOS.recv (portable
#    serialization), and reads an event a Swift workflow set (DBOS.setEvent).
messaging() {
  local mode=$1 url=$2 id=$3
  need_binary "$FIXTURE" || return 1
  step "dbos-test-fixture --recv-timeout 60 + DBOSClient ($mode)" "$PY" "$HERE/check_messaging.py" "$mode" \
    --fixture "$FIXTURE" --url "$url" --workflow-id "$id" --counter-file "$WORK/$id.counter"
}
check_python_sends_to_swift_postgres() {
  newdb messaging_send || return 1
  messaging send "$DB_URL" "swift-inbox-pg-1"
}
check_python_sends_to_swift_sqlite() {
  messaging send "$(sqlite_url "$WORK/messaging_send.sqlite")" "swift-inbox-sqlite-1"
}
check_python_reads_swift_event_postgres() {
  newdb messaging_event || return 1
  messaging event "$DB_URL" "swift-event-pg-1"
}
check_python_reads_swift_event_sqlite() {
  messaging event "$(sqlite_url "$WORK/messaging_event.sqlite")" "swift-event-sqlite-1"
}

# g. Scheduled workflows a Swift process fired (every second for 3 s), as DBOS Python sees them.
schedule_check() {
  local url=$1
  need_binary "$FIXTURE" || return 1
  step "dbos-test-fixture --schedule 3" "$FIXTURE" --database-url "$url" --counter-file "$WORK/schedule.counter" --schedule 3 || return 1
  step "dbos workflow list + DBOSClient.list_schedules" "$PY" "$HERE/check_schedule.py" --url "$url" || return 1
  step "pause, resume and backfill from both sides" "$PY" "$HERE/check_schedule_ops.py" --cli "$SWIFT_CLI" --url "$url"
}
check_python_reads_swift_schedule_postgres() {
  newdb schedule || return 1
  schedule_check "$DB_URL"
}
check_python_reads_swift_schedule_sqlite() {
  schedule_check "$(sqlite_url "$WORK/schedule.sqlite")"
}

# g. DBOS Python drives workflows a Swift worker process runs (dbos-interop-worker serve):
#    DBOSClient.enqueue in portable JSON, dbos.enqueue_workflow() in SQL, send/get_event/
#    cancel/resume on a waiting workflow, fork_workflow from a step, and debouncing both ways.
swift_worker() {
  local mode=$1 url=$2 label=$3
  need_binary "$WORKER" || return 1
  step "dbos-interop-worker serve + DBOS Python ($mode)" "$PY" "$HERE/check_swift_worker.py" "$mode" \
    --worker "$WORKER" --url "$url" --counter-file "$WORK/$label.counter"
}
check_python_enqueues_to_swift_postgres() {
  newdb worker_enqueue || return 1
  swift_worker enqueue "$DB_URL" worker_enqueue_pg
}
check_python_enqueues_to_swift_sqlite() {
  swift_worker enqueue "$(sqlite_url "$WORK/worker_enqueue.sqlite")" worker_enqueue_sqlite
}
check_sql_enqueues_to_swift_postgres() {
  newdb worker_sql_enqueue || return 1
  swift_worker sql-enqueue "$DB_URL" worker_sql_enqueue_pg
}
check_python_manages_swift_postgres() {
  newdb worker_manage || return 1
  swift_worker manage "$DB_URL" worker_manage_pg
}
check_python_manages_swift_sqlite() {
  swift_worker manage "$(sqlite_url "$WORK/worker_manage.sqlite")" worker_manage_sqlite
}
check_python_forks_swift_postgres() {
  newdb worker_fork || return 1
  swift_worker fork "$DB_URL" worker_fork_pg
}
check_python_forks_swift_sqlite() {
  swift_worker fork "$(sqlite_url "$WORK/worker_fork.sqlite")" worker_fork_sqlite
}
check_python_and_swift_debounce_postgres() {
  newdb worker_debounce || return 1
  swift_worker debounce "$DB_URL" worker_debounce_pg
}
check_python_and_swift_debounce_sqlite() {
  swift_worker debounce "$(sqlite_url "$WORK/worker_debounce.sqlite")" worker_debounce_sqlite
}
# i. A DBOS Python process recovers patched workflows a SIGKILLed Swift worker started, on the
#    old branch for the run from before the patch and the new one for the patched run.
patch_recovery() {
  need_binary "$WORKER" || return 1
  step "dbos-interop-worker SIGKILLed, DBOS Python recovers" "$PY" "$HERE/check_patch_recovery.py" \
    --worker "$WORKER" --url "$1" --counter-file "$WORK/$2.counter"
}
check_python_recovers_swift_patches_postgres() {
  newdb patch_recovery || return 1
  patch_recovery "$DB_URL" patch_recovery_pg
}
check_python_recovers_swift_patches_sqlite() {
  patch_recovery "$(sqlite_url "$WORK/patch_recovery.sqlite")" patch_recovery_sqlite
}

# h. The Swift DBOSClient enqueues a workflow that a DBOS Python worker runs, and gets its result.
swift_client() {
  need_binary "$WORKER" || return 1
  step "DBOS Python worker + dbos-interop-worker client" "$PY" "$HERE/check_swift_client.py" --worker "$WORKER" --url "$1"
}
check_swift_client_to_python_postgres() {
  newdb swift_client || return 1
  swift_client "$DB_URL"
}
check_swift_client_to_python_sqlite() {
  swift_client "$(sqlite_url "$WORK/swift_client.sqlite")"
}

# i. dbos-swift lists and shows a workflow DBOS Python ran in its default (pickle) format,
#    its payloads as opaque `<py_pickle payload>` markers.
swift_reads_pickle() {
  local url=$1 id=$2
  need_binary "$SWIFT_CLI" || return 1
  step "python fixtureWorkflow (py_pickle)" "$PY" "$HERE/pydbos_fixture.py" --database-url "$url" \
    --workflow-id "$id" --steps "$STEPS" --serialization default || return 1
  step "dbos-swift workflow list/get/steps on py_pickle payloads" "$PY" "$HERE/check_swift_cli_pickle.py" \
    --cli "$SWIFT_CLI" --url "$url" --workflow-id "$id" --steps "$STEPS"
}
check_swift_reads_python_pickle_postgres() {
  newdb python_pickle || return 1
  swift_reads_pickle "$DB_URL" py-pickle-pg-1
}
check_swift_reads_python_pickle_sqlite() {
  swift_reads_pickle "$(sqlite_url "$WORK/python_pickle.sqlite")" py-pickle-sqlite-1
}

echo "interop: DBOS Python $("$PY" -c 'import importlib.metadata as m; print(m.version("dbos"))' 2>/dev/null || echo '?') from $VENV"
echo "interop: Swift binaries from $SWIFT_BIN"
echo "interop: PostgreSQL at $BASE"

check schema-postgres                 check_schema_postgres
check schema-sqlite                   check_schema_sqlite
check python-reads-swift-postgres     check_python_reads_swift_postgres
check python-client-decodes-postgres  check_python_client_postgres
check python-reads-swift-sqlite       check_python_reads_swift_sqlite
check python-client-decodes-sqlite    check_python_client_sqlite
check swift-on-python-schema-postgres check_swift_on_python_schema_postgres
check swift-on-python-schema-sqlite   check_swift_on_python_schema_sqlite
check swift-reads-python-postgres     check_swift_reads_python_postgres
check python-sends-to-swift-postgres  check_python_sends_to_swift_postgres
check python-sends-to-swift-sqlite    check_python_sends_to_swift_sqlite
check python-reads-swift-event-postgres check_python_reads_swift_event_postgres
check python-reads-swift-event-sqlite check_python_reads_swift_event_sqlite
check python-reads-swift-schedule-postgres check_python_reads_swift_schedule_postgres
check python-reads-swift-schedule-sqlite check_python_reads_swift_schedule_sqlite
check python-enqueues-to-swift-postgres check_python_enqueues_to_swift_postgres
check python-enqueues-to-swift-sqlite check_python_enqueues_to_swift_sqlite
check sql-enqueues-to-swift-postgres  check_sql_enqueues_to_swift_postgres
check python-manages-swift-postgres   check_python_manages_swift_postgres
check python-manages-swift-sqlite     check_python_manages_swift_sqlite
check python-forks-swift-postgres     check_python_forks_swift_postgres
check python-forks-swift-sqlite       check_python_forks_swift_sqlite
check python-and-swift-debounce-postgres check_python_and_swift_debounce_postgres
check python-and-swift-debounce-sqlite   check_python_and_swift_debounce_sqlite
check python-recovers-swift-patches-postgres check_python_recovers_swift_patches_postgres
check python-recovers-swift-patches-sqlite   check_python_recovers_swift_patches_sqlite
check swift-client-to-python-postgres check_swift_client_to_python_postgres
check swift-client-to-python-sqlite   check_swift_client_to_python_sqlite
check swift-reads-python-pickle-postgres check_swift_reads_python_pickle_postgres
check swift-reads-python-pickle-sqlite check_swift_reads_python_pickle_sqlite

echo "interop: $PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
