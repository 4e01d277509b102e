#!/usr/bin/env bash
# Times the web console's pages on a large history: fills a PostgreSQL database (or a SQLite
# file) with N finished workflows (three steps each, as dbos-bench large-history does), serves
# it with a release `dbos-console`, and requests each page 20 times after one warm-up.
# Prints the median, p95 and max of each page in milliseconds (time to the last byte, curl).
#
#   bash scripts/bench/console-pages.sh postgresql://postgres@127.0.0.1:55500/console_pages [N]
#   bash scripts/bench/console-pages.sh /tmp/console-pages.sqlite [N]
#
# The database should be new: it is migrated and filled (N defaults to 1,000,000).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
URL=${1:?usage: console-pages.sh DATABASE_URL [WORKFLOWS]}
N=${2:-1000000}
cd "$ROOT"
swift build -c release --product dbos-bench >/dev/null
swift build -c release --product dbos-console >/dev/null
BIN=$(swift build -c release --show-bin-path)

"$BIN/dbos-bench" --role fill-history --database-url "$URL" --history "$N" 2>&1 | tail -1

LOG=$(mktemp)
"$BIN/dbos-console" --database-url "$URL" --port 0 >"$LOG" 2>&1 &
CONSOLE=$!
trap 'kill $CONSOLE 2>/dev/null || true; rm -f "$LOG"' EXIT
for _ in $(seq 1 100); do
  address=$(grep -o 'http://[^ ]*/' "$LOG" || true)
  [ -n "$address" ] && break
  sleep 0.1
done
[ -n "${address:-}" ] || { echo "dbos-console did not start:"; cat "$LOG"; exit 1; }
address=${address%/}

cursor=$(curl -sf "$address/api/workflows?limit=500" | python3 -c 'import json,sys; print(json.load(sys.stdin)["next_cursor"])')
middle="history-$((N / 2))"
pages=(
  "/"
  "/?before=$cursor"
  "/?status=SUCCESS&name=dbos_bench_three_steps"
  "/?queue=history_queue_3"
  "/?id_prefix=history-99999"
  "/?status=ERROR"
  "/?created_after=2026-01-01&created_before=2026-01-02"
  "/workflows/$middle"
  "/api/workflows"
  "/api/workflows/$middle/steps"
  "/queues"
  "/metrics"
)
printf '%-58s %8s %8s %8s\n' "page ($N workflows)" "p50 ms" "p95 ms" "max ms"
for page in "${pages[@]}"; do
  code=$(curl -s -o /dev/null -w '%{http_code}' "$address$page")
  [ "$code" = 200 ] || { echo "$page answered $code"; exit 1; }
  times=$(for _ in $(seq 1 20); do curl -s -o /dev/null -w '%{time_total}\n' "$address$page"; done | sort -n)
  p50=$(echo "$times" | sed -n 10p); p95=$(echo "$times" | sed -n 19p); max=$(echo "$times" | sed -n 20p)
  printf '%-58s %8.1f %8.1f %8.1f\n' "${page:0:58}" "$(echo "$p50*1000" | bc)" "$(echo "$p95*1000" | bc)" "$(echo "$max*1000" | bc)"
done
