#!/usr/bin/env bash
# Runs the whole test suite of dbos-transact-swift on a clean clone:
#   1. starts a throwaway PostgreSQL (scripts/postgres.sh) on a free port,
#   2. swift build --build-tests, then swift test with DBOS_TEST_DATABASE_URL pointing at it,
#   3. that a package using the DBOS library does not pull in the examples' servers (scripts/check-user-graph.sh),
#   3a. the documentation: the README's and DocC articles' Swift blocks equal the compiled
#       Tests/DocSnippets (scripts/check-snippets.sh), and the DocC catalog builds with no
#       warnings (swift package generate-documentation --target DBOS --warnings-as-errors),
#   3b. the short chaos run on both backends (dbos-chaos, Tests/Fixtures/dbos-chaos),
#   4. the interoperability checks against DBOS Transact Python 3.4.0 (scripts/interop/run.sh),
#      from a virtualenv at .venv-dbos/ (created once, then reused).
# The server is stopped on exit, whatever happens. The last line printed is
# `N passed, M failed` (individual Swift tests plus interop checks); the exit
# status is non-zero when anything failed.
#
# Environment:
#   DBOS_TEST_DATABASE_URL  use this PostgreSQL server instead of starting one
#   DBOS_TEST_PG_PORT       first port to try for the throwaway server (default 55433)
#   SWIFT_TEST_TIMEOUT      seconds before `swift test` is stopped (default 1800)
#   SKIP_INTEROP=1          skip step 3
#   SKIP_DOCS=1             skip the DocC build of step 3a (the snippet check still runs)
#   PYTHON                  interpreter for the virtualenv (default: python3, needs >= 3.10)
#   CI=true                 non-interactive; may apt-get install postgresql / python3-venv / faketime / chromium as root
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

LOGS="$ROOT/.build/test-logs"
mkdir -p "$LOGS"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/dbos-test.XXXXXX")
chmod 755 "$TMP"   # the postgres user (when run as root) must reach the data folder
PGDIR="$TMP/pg"
STARTED_PG=0

PASSED=0
FAILED=0
SUMMARY=()      # one line per item, printed at the end
FAILURES=()     # names of what failed

section() { printf '\n==== %s ====\n' "$*"; }
pass()    { PASSED=$((PASSED + ${2:-1})); SUMMARY+=("  ok    $1"); }
note()    { SUMMARY+=("  ok    $1"); }   # a step that is not counted as a test
fail()    { FAILED=$((FAILED + ${2:-1})); SUMMARY+=("  FAIL  $1"); FAILURES+=("$1"); }

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ "$STARTED_PG" = 1 ]; then
    bash "$ROOT/scripts/postgres.sh" stop "$PGDIR" >/dev/null 2>&1 || echo "warning: could not stop PostgreSQL in $PGDIR" >&2
  fi
  if [ -f "$PGDIR/server.log" ]; then cp "$PGDIR/server.log" "$LOGS/postgres.log" 2>/dev/null || true; fi
  # Servers the tests started themselves (PostgresServer, /tmp/dbos-pg-*) stop with their test;
  # a test process that crashed leaves them running. Only those made during this run are stopped.
  local orphan
  for orphan in $(find /tmp -maxdepth 1 -name 'dbos-pg-*' -newer "$TMP" 2>/dev/null); do
    bash "$ROOT/scripts/postgres.sh" stop "$orphan" >/dev/null 2>&1 && echo "stopped and removed a PostgreSQL server a test left behind: $orphan" >&2
    rm -rf "$orphan"
  done
  rm -rf "$TMP"
  exit "$rc"
}
# Long commands run in the background (in their own process group) so that a signal
# is handled at once: the handler stops them, and the EXIT trap stops PostgreSQL.
CHILD=""
on_signal() {
  echo "interrupted: stopping" >&2
  if [ -n "$CHILD" ]; then
    kill -TERM -- "-$CHILD" 2>/dev/null || kill -TERM "$CHILD" 2>/dev/null || true
    wait "$CHILD" 2>/dev/null || true
  fi
  exit 130
}
trap cleanup EXIT
trap on_signal INT TERM

# run_logged LOG COMMAND... -> runs COMMAND, shows its output and saves it in LOG; returns its status
run_logged() {
  local log=$1; shift
  local runner=()
  command -v setsid >/dev/null 2>&1 && runner=(setsid)
  "${runner[@]}" bash -c 'set -o pipefail; "$@" 2>&1 | tee "$0"' "$log" "$@" </dev/null &
  CHILD=$!
  local rc=0
  wait "$CHILD" || rc=$?
  CHILD=""
  return "$rc"
}

finish() {
  section "Summary"
  printf '%s\n' "${SUMMARY[@]}"
  echo "  logs: $LOGS"
  if [ "$FAILED" -gt 0 ]; then
    echo "  failed: ${FAILURES[*]}"
  fi
  echo "$PASSED passed, $FAILED failed"
  if [ "$FAILED" -gt 0 ]; then exit 1; fi
  exit 0
}

# ------------------------------------------------------------ PostgreSQL
port_free() {
  local port=$1
  [ -e "/tmp/.s.PGSQL.$port" ] || [ -e "/tmp/.s.PGSQL.$port.lock" ] && return 1
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 1; fi
  return 0
}

section "PostgreSQL"
if [ -n "${DBOS_TEST_DATABASE_URL:-}" ]; then
  echo "using the server of DBOS_TEST_DATABASE_URL=$DBOS_TEST_DATABASE_URL"
  note "PostgreSQL: $DBOS_TEST_DATABASE_URL (given)"
else
  port=${DBOS_TEST_PG_PORT:-55433}
  attempts=0
  while :; do
    while ! port_free "$port"; do port=$((port + 1)); done
    echo "starting a throwaway PostgreSQL on 127.0.0.1:$port (data in $PGDIR)"
    STARTED_PG=1
    if bash scripts/postgres.sh start "$PGDIR" "$port"; then break; fi
    bash scripts/postgres.sh stop "$PGDIR" >/dev/null 2>&1 || true
    STARTED_PG=0
    attempts=$((attempts + 1))
    if [ "$attempts" -ge 3 ]; then
      fail "postgres: could not start a server (see $LOGS/postgres.log)"
      finish
    fi
    port=$((port + 1))
  done
  export DBOS_TEST_DATABASE_URL="postgresql://postgres@127.0.0.1:$port/postgres"
  echo "DBOS_TEST_DATABASE_URL=$DBOS_TEST_DATABASE_URL"
  note "PostgreSQL: throwaway server on port $port"
fi

# ------------------------------------------------------------ faketime
# The clock-skew tests run a worker whose wall clock is an hour off (libfaketime).
if ! command -v faketime >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing faketime"
    if ! (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq faketime >/dev/null); then
      echo "warning: could not install faketime: the clock-skew tests will be skipped" >&2
    fi
  else
    echo "warning: faketime is not installed: the clock-skew tests will be skipped" >&2
  fi
fi

# ------------------------------------------------------------ chromium
# The web console's browser test (Tests/ConsoleTests/ConsoleBrowserTests.swift) drives
# Debian's headless chromium over the DevTools protocol; without it that test is skipped.
if ! command -v chromium >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing chromium"
    if ! (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null); then
      echo "warning: could not install chromium: the console's browser test will be skipped" >&2
    fi
  else
    echo "warning: chromium is not installed: the console's browser test will be skipped" >&2
  fi
fi

# ------------------------------------------------------------ Swift build
section "swift build --build-tests"
if run_logged "$LOGS/build.log" swift build --build-tests; then
  note "swift build --build-tests"
else
  fail "swift build (see $LOGS/build.log)"
  echo "the build failed: skipping swift test and the interop checks"
  finish
fi

# ------------------------------------------------------------ Swift tests
section "swift test"
# Two runs: the suites that start several worker processes each (multi-process queues, the
# example apps) run on their own, so that on a 2-core machine they do not starve the
# timing-sensitive tests of the first run. Both runs' output goes to one log.
HEAVY_SUITES='QueueDrainTests|ClockSkewTests|ExamplesTests'
rc=0
run_logged "$LOGS/swift-test-1.log" timeout --foreground --kill-after=30 "${SWIFT_TEST_TIMEOUT:-1800}" swift test --skip "$HEAVY_SUITES" || rc=$?
run_logged "$LOGS/swift-test-2.log" timeout --foreground --kill-after=30 "${SWIFT_TEST_TIMEOUT:-1800}" swift test --filter "$HEAVY_SUITES" || rc=$?
cat "$LOGS/swift-test-1.log" "$LOGS/swift-test-2.log" > "$LOGS/swift-test.log"

# Counts from swift-testing ("Test run with N tests ...", one "✘ Test x() failed after" per
# failed test, "➜ Test x() skipped") and XCTest (the last "Executed N tests, with M failures").
log="$LOGS/swift-test.log"
st_total=$(sed -n 's/.*Test run with \([0-9][0-9]*\) tests\{0,1\} .*/\1/p' "$log" | awk '{ sum += $1 } END { if (NR) print sum }')
st_failed=$(grep -E '✘ Test .* failed after' "$log" | grep -vc 'Test run with' || true)
st_skipped=$(grep -cE '➜ Test .* skipped' "$log" || true)
# XCTest: the last "Executed N tests, with M failures" line of each run.
xc_total=0; xc_failed=0
for part in "$LOGS/swift-test-1.log" "$LOGS/swift-test-2.log"; do
  xc_line=$(grep -E 'Executed [0-9]+ tests?, with [0-9]+ failures?' "$part" | tail -n 1 || true)
  xc_total=$((xc_total + $(echo "$xc_line" | sed -n 's/.*Executed \([0-9][0-9]*\) tests\{0,1\}, with \([0-9][0-9]*\) failure.*/\1/p' | grep . || echo 0)))
  xc_failed=$((xc_failed + $(echo "$xc_line" | sed -n 's/.*Executed \([0-9][0-9]*\) tests\{0,1\}, with \([0-9][0-9]*\) failure.*/\2/p' | grep . || echo 0)))
done
if [ -n "$st_total" ] || [ -n "$xc_total" ]; then
  t_passed=$(( ${st_total:-0} - st_failed - st_skipped + ${xc_total:-0} - ${xc_failed:-0} ))
  t_failed=$(( st_failed + ${xc_failed:-0} ))
  [ "$t_passed" -lt 0 ] && t_passed=0
  if [ "$rc" != 0 ] && [ "$t_failed" = 0 ]; then
    t_failed=1   # crashed, timed out or failed outside any test
  fi
  detail="swift test: $t_passed passed, $t_failed failed"
  [ "$st_skipped" -gt 0 ] && detail="$detail, $st_skipped skipped"
  [ "$rc" = 124 ] && detail="$detail (timed out after ${SWIFT_TEST_TIMEOUT:-1800}s)"
  [ "$rc" != 0 ] && [ "$rc" != 124 ] && detail="$detail (exit $rc)"
  PASSED=$((PASSED + t_passed))
  if [ "$rc" = 0 ] && [ "$t_failed" = 0 ]; then
    SUMMARY+=("  ok    $detail")
  else
    fail "$detail" "$t_failed"
    failed_names=$(sed -n -e 's/.*✘ Test \(.*\) failed after.*/\1/p' -e "s/^Test Case '\(.*\)' failed.*/\1/p" "$log" \
      | grep -v '^run with' | sort -u | head -n 30 || true)
    if [ -n "$failed_names" ]; then
      while IFS= read -r name; do SUMMARY+=("          - $name"); done <<<"$failed_names"
    fi
  fi
else
  if [ "$rc" = 0 ]; then pass "swift test (no test counts found in the output)"
  else fail "swift test exited $rc (see $LOGS/swift-test.log)"; fi
fi

# ------------------------------------------------------------ Library user's graph
section "A DBOS user's dependency graph"
if graph_line=$(bash scripts/check-user-graph.sh 2>&1); then
  echo "$graph_line"
  pass "${graph_line#PASS }"
else
  echo "$graph_line"
  fail "${graph_line#FAIL }"
fi

# ------------------------------------------------------------ Documentation
# The Swift blocks of README.md and the DocC articles are compiled in Tests/DocSnippets (built
# above with the package; --build only confirms it) and must equal their regions there.
section "Documentation: README and DocC code blocks"
if snippets_out=$(bash scripts/check-snippets.sh --build 2>&1); then
  echo "$snippets_out"
  pass "$(echo "$snippets_out" | grep '^PASS snippets: [0-9]' | sed 's/^PASS //')"
else
  echo "$snippets_out"
  fail "$(echo "$snippets_out" | grep '^FAIL' | tail -n 1 | sed 's/^FAIL //') (see above)"
fi
# The DocC catalog and the API reference: any DocC warning (a broken symbol link, a parameter
# that does not exist) fails the build.
if [ "${SKIP_DOCS:-0}" = 1 ]; then
  SUMMARY+=("  skip  docs: swift package generate-documentation (SKIP_DOCS=1)")
else
  section "Documentation: swift package generate-documentation --target DBOS --warnings-as-errors"
  docs_started=$(date +%s)
  if run_logged "$LOGS/docs.log" swift package generate-documentation --target DBOS --warnings-as-errors; then
    pass "docs: generate-documentation --target DBOS, no warnings ($(( $(date +%s) - docs_started ))s)"
  else
    fail "docs: generate-documentation --target DBOS failed or warned (see $LOGS/docs.log)"
  fi
fi

# ------------------------------------------------------------ Chaos (short)
# Worker processes under SIGKILLs and PostgreSQL restarts (SQLite: kills and a write lock held
# past the busy timeout), then a check of every workflow, step, message, stream and queue limit.
section "Chaos (short run)"
CHAOS="$(swift build --show-bin-path)/dbos-chaos"
for chaos in "postgres --workflows 20 --faults 12" "sqlite --workflows 12 --faults 8"; do
  backend=${chaos%% *}
  rc=0
  # shellcheck disable=SC2086
  run_logged "$LOGS/chaos-$backend.log" "$CHAOS" run --backend $chaos || rc=$?
  line=$(grep '^faults ' "$LOGS/chaos-$backend.log" | tail -n 1)
  if [ "$rc" = 0 ] && [ -n "$line" ]; then pass "chaos $backend: $line"
  else fail "chaos $backend: ${line:-no result} (see $LOGS/chaos-$backend.log)"; fi
done

# ------------------------------------------------------------ DBOS Python
if [ "${SKIP_INTEROP:-0}" = 1 ]; then
  SUMMARY+=("  skip  interop checks (SKIP_INTEROP=1)")
  finish
fi

section "DBOS Python 3.4.0 virtualenv (.venv-dbos)"
VENV="$ROOT/.venv-dbos"
venv_ready() {
  [ -x "$VENV/bin/dbos" ] && [ -x "$VENV/bin/python" ] &&
    [ "$("$VENV/bin/pip" show dbos 2>/dev/null | sed -n 's/^Version: //p')" = "3.4.0" ]
}
pick_python() {
  local candidate
  for candidate in "${PYTHON:-}" python3 python3.13 python3.12 python3.11 python3.10; do
    [ -n "$candidate" ] || continue
    command -v "$candidate" >/dev/null 2>&1 || continue
    if "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  return 1
}
setup_venv() {
  if venv_ready; then
    echo "reusing $VENV (dbos 3.4.0)"
    return 0
  fi
  local py
  if ! py=$(pick_python); then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "no python3 >= 3.10: installing python3 and python3-venv"
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv >/dev/null
      py=$(pick_python) || { echo "still no python3 >= 3.10" >&2; return 1; }
    else
      echo "python3 >= 3.10 is needed for the interop checks (set PYTHON=...)" >&2
      return 1
    fi
  fi
  rm -rf "$VENV"
  echo "creating $VENV with $py ($("$py" --version 2>&1))"
  if ! "$py" -m venv "$VENV" 2>"$LOGS/venv.log"; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "python -m venv failed: installing python3-venv"
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
      rm -rf "$VENV"
      "$py" -m venv "$VENV" 2>>"$LOGS/venv.log" || { cat "$LOGS/venv.log" >&2; return 1; }
    else
      cat "$LOGS/venv.log" >&2
      return 1
    fi
  fi
  echo "pip install dbos==3.4.0"
  if ! "$VENV/bin/python" -m pip install --quiet dbos==3.4.0 >"$LOGS/pip.log" 2>&1; then
    tail -n 20 "$LOGS/pip.log" >&2
    return 1
  fi
  venv_ready
}
if setup_venv; then
  "$VENV/bin/dbos" version 2>/dev/null | head -n 1 || true
else
  fail "DBOS Python virtualenv (see $LOGS/pip.log / venv.log); interop checks not run"
  finish
fi

# ------------------------------------------------------------ Interop
section "Interop with DBOS Python 3.4.0"
SWIFT_BIN=$(swift build --show-bin-path)
export SWIFT_BIN DBOS_VENV="$VENV"
rc=0
# On the throwaway server the checks' databases stay: dropping them would wait for checkpoints.
KEEP_DATABASES=$STARTED_PG run_logged "$LOGS/interop.log" bash scripts/interop/run.sh "$DBOS_TEST_DATABASE_URL" || rc=$?
i_passed=$(grep -c '^PASS ' "$LOGS/interop.log" || true)
i_failed=$(grep -c '^FAIL ' "$LOGS/interop.log" || true)
if [ "$rc" != 0 ] && [ "$i_failed" = 0 ]; then i_failed=1; fi
PASSED=$((PASSED + i_passed))
if [ "$i_failed" = 0 ]; then
  SUMMARY+=("  ok    interop: $i_passed checks passed")
else
  fail "interop: $i_passed passed, $i_failed failed" "$i_failed"
  while IFS= read -r line; do SUMMARY+=("          - ${line#FAIL }"); done < <(grep '^FAIL ' "$LOGS/interop.log" | cut -c1-200)
fi

finish
