#!/usr/bin/env bash
# Runs the release `dbos-bench` and DBOS Transact Python 3.4.0 (dbos_python_bench.py) on the same
# PostgreSQL server, each on a fresh database, and prints each Swift workload's workflows/s with
# its ratio to the raw-commit baseline measured in the same run and to DBOS Python's figure.
#
#   scripts/bench/compare.sh postgresql://user@host:port/postgres [ROUNDS]
#
# Environment:
#   DBOS_BENCH_BIN   the dbos-bench binary (default: .build/release/dbos-bench, built when missing)
#   DBOS_VENV        a virtualenv with dbos==3.4.0 (default: .venv-dbos, as scripts/test.sh makes)
#   WORKLOADS        Swift workloads (default: sequential,concurrent,queue-1-worker)
#   LABEL            a name for this binary in the output (default: swift)
# Output: the JSON lines of both sides under bench-results/, then a summary table.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BASE=${1:?usage: compare.sh postgresql://user@host:port/postgres [rounds]}
ROUNDS=${2:-1}
BIN=${DBOS_BENCH_BIN:-$ROOT/.build/release/dbos-bench}
VENV=${DBOS_VENV:-$ROOT/.venv-dbos}
WORKLOADS=${WORKLOADS:-sequential,concurrent,queue-1-worker}
LABEL=${LABEL:-swift}
OUT="$ROOT/bench-results"
mkdir -p "$OUT"
if [ ! -x "$BIN" ]; then (cd "$ROOT" && swift build -c release --product dbos-bench); fi
[ -x "$VENV/bin/python" ] || { echo "no virtualenv with dbos==3.4.0 at $VENV (run scripts/test.sh once, or set DBOS_VENV)" >&2; exit 1; }

fresh_url() {   # BASE with its database replaced by a new, unique one
  python3 - "$BASE" "$1" <<'PY'
import sys, urllib.parse
url = urllib.parse.urlsplit(sys.argv[1])
print(urllib.parse.urlunsplit(url._replace(path="/" + sys.argv[2])))
PY
}

stamp=$(date +%Y%m%d-%H%M%S)
for round in $(seq 1 "$ROUNDS"); do
  id="$stamp-r$round"
  echo "== round $round: $LABEL ($BIN)" >&2
  "$BIN" --database-url "$(fresh_url "bench_swift_${id//-/_}")" --workloads "$WORKLOADS" --json \
    | sed "s/^{/{\"label\":\"$LABEL\",\"round\":$round,/" >> "$OUT/$stamp.jsonl"
  echo "== round $round: DBOS Python 3.4.0" >&2
  PY_URL=$(fresh_url "bench_python_${id//-/_}")
  psql "$BASE" -qc "CREATE DATABASE bench_python_${id//-/_}" >/dev/null 2>&1 || true
  "$VENV/bin/python" "$ROOT/scripts/bench/dbos_python_bench.py" --database-url "$PY_URL" 2>/dev/null \
    | sed "s/^{/{\"label\":\"python\",\"round\":$round,/" >> "$OUT/$stamp.jsonl"
done

python3 - "$OUT/$stamp.jsonl" <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1]) if line.startswith("{")]
python = {(r["round"], r["workload"]): r["workflows_per_s"] for r in rows if r["label"] == "python"}
print(f"{'label':<10} {'round':>5} {'workload':<16} {'wf/s':>8} {'x raw commits':>14} {'Python wf/s':>12} {'x Python':>9}")
for r in rows:
    if r["label"] == "python" or "workflows_per_s" not in r:
        continue
    py = python.get((r["round"], r["workload"]))
    ratio = r.get("ratio_to_baseline")
    rate = r["workflows_per_s"]
    baseline = "-" if ratio is None else "%.3f" % ratio
    python_rate = "%.1f" % py if py else "-"
    to_python = "%.1fx" % (rate / py) if py else "-"
    print(f"{r['label']:<10} {r['round']:>5} {r['workload']:<16} {rate:>8.1f} {baseline:>14} {python_rate:>12} {to_python:>9}")
print(f"(all lines: {sys.argv[1]})")
PY
