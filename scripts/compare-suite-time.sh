#!/usr/bin/env bash
# Compares the test suite's wall time of two built checkouts on this machine, interleaved so that
# both see the same load, each run on a fresh throwaway PostgreSQL server.
#
#   scripts/compare-suite-time.sh OLD_CHECKOUT [ROUNDS] [EXTRA_REGEX]
#
# OLD_CHECKOUT is another checkout (e.g. `git worktree add ../old <rev>`) whose debug tests are built
# (`swift build --build-tests` there); this checkout's must be built too. Each round runs, one after
# the other:
#   old   the old checkout's suite;
#   same  this checkout's suite restricted to the tests the old one has (by test ID), plus the tests
#         matching EXTRA_REGEX (tests that replaced old ones under a new name);
#   new   this checkout's whole suite.
# Every run is the first `swift test` run of scripts/test.sh (the heavy suites skipped). Prints, per run,
# the wall, user and system seconds of the test process and the server's CPU seconds. The runs' logs
# stay in the folder printed at the end.
set -euo pipefail
old=$(cd "${1:?old checkout}" && pwd); rounds=${2:-3}; extra=${3:-}
new=$(cd "$(dirname "$0")/.." && pwd)
heavy='QueueDrainTests|ClockSkewTests|ExamplesTests'
binary=.build/debug/dbos-transact-swiftPackageTests.xctest
work=$(mktemp -d /tmp/compare-suite.XXXXXX); chmod 755 "$work"
server="$work/pg"; port=${PORT:-55600}
trap 'bash "$new/scripts/postgres.sh" stop "$server" >/dev/null 2>&1 || true; rm -rf "$server"; echo "logs: $work"' EXIT

list() {
  (cd "$1" && "$binary" --testing-library swift-testing --list-tests 2>/dev/null) \
    | sed 's/\x1b\[[0-9;]*m//g' | grep -v -E "^[A-Za-z]+\.($heavy)|^ExamplesTests\." | sort
}
list "$old" > "$work/old.list"; list "$new" > "$work/new.list"
# Tests only the new suite has, minus EXTRA_REGEX, as one escaped regular expression to skip.
comm -13 "$work/old.list" "$work/new.list" | { if [ -n "$extra" ]; then grep -v -E "$extra" || true; else cat; fi; } \
  | python3 -c 'import re, sys; print("|".join(re.escape(line.strip()) for line in sys.stdin if line.strip()))' > "$work/skip"

run() {  # run LABEL CHECKOUT [--skip REGEX]
  local label=$1 dir=$2; shift 2
  bash "$new/scripts/postgres.sh" stop "$server" >/dev/null 2>&1 || true
  rm -rf "$server"; bash "$new/scripts/postgres.sh" start "$server" "$port" >/dev/null
  local postmaster; postmaster=$(head -1 "$server/data/postmaster.pid")
  (cd "$dir" && DBOS_TEST_DATABASE_URL="postgresql://postgres@127.0.0.1:$port/postgres" \
    /usr/bin/time -f "%e %U %S" -o "$work/time" "$binary" --testing-library swift-testing --skip "$heavy" "$@" \
    > "$work/$label-$round.log" 2>&1) || {
    echo "($label: a test failed, so its time is not comparable:"
    sed 's/\x1b\[[0-9;]*m//g' "$work/$label-$round.log" | grep -E "^✘ Test .* failed" | cut -c1-160 | sed 's/^/   /'
    echo ")"
  }
  local server_cpu; server_cpu=$(awk '{print ($14 + $15 + $16 + $17) / 100}' "/proc/$postmaster/stat")
  local summary; summary=$(sed 's/\x1b\[[0-9;]*m//g' "$work/$label-$round.log" | grep -o -E "Test run with [0-9]+ tests" | tail -1)
  read -r wall user system < <(tail -1 "$work/time")
  printf '%-5s %8s %8s %8s %8s  %s\n' "$label" "$wall" "$user" "$system" "$server_cpu" "$summary"
}

printf '%-5s %8s %8s %8s %8s\n' run wall user system server
for round in $(seq "$rounds"); do
  run old "$old"
  if [ -s "$work/skip" ]; then run same "$new" --skip "$(cat "$work/skip")"; else run same "$new"; fi
  run new "$new"
done
