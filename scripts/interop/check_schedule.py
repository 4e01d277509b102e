#!/usr/bin/env python3
"""Check, with DBOS Python 3.4.0, the scheduled workflows a Swift process fired.

    check_schedule.py --url URL [--schedule every-second] [--name fixtureTick]

Runs after `dbos-test-fixture --schedule S`. Checks that `dbos workflow list` lists
workflows `sched-<schedule>-<tick>` with the tick in Python's `isoformat()`, at least
one SUCCESS; that `DBOSClient.list_schedules()` returns the schedule's row (workflow
name, cron, ACTIVE, a `last_fired_at` Python parses); and that DBOSClient decodes a
run's inputs as `(datetime, context)`. Exit 0 on success, 1 with the reason last.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from datetime import datetime, timezone


def fail(reason: str) -> None:
    print(reason)
    sys.exit(1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--schedule", default="every-second")
    parser.add_argument("--name", default="fixtureTick")
    args = parser.parse_args()
    prefix = f"sched-{args.schedule}-"

    cli = os.path.join(os.path.dirname(sys.executable), "dbos")
    proc = subprocess.run([cli, "workflow", "list", "-s", args.url, "--limit", "1000"],
                          capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        fail(f"`dbos workflow list` exited {proc.returncode}: {proc.stderr.strip()[-300:]}")
    listed = [w for w in json.loads(proc.stdout) if str(w.get("workflow_id", "")).startswith(prefix)]
    print(f"  dbos workflow list: {len(listed)} scheduled workflow(s): {[w['workflow_id'] for w in listed][:6]}")
    if not listed:
        fail(f"no workflow {prefix}... in `dbos workflow list`")
    for row in listed:
        tick = datetime.fromisoformat(row["workflow_id"][len(prefix):])
        if tick.tzinfo is None or tick.utcoffset().total_seconds() != 0 or tick.microsecond != 0:
            fail(f"{row['workflow_id']}: the tick is not a whole-second UTC isoformat()")
        if row["workflow_id"] != prefix + tick.isoformat():
            fail(f"{row['workflow_id']} is not {prefix}{tick.isoformat()}")
        if row.get("name") != args.name:
            fail(f"{row['workflow_id']} is named {row.get('name')!r}, expected {args.name!r}")
    done = [w for w in listed if w.get("status") == "SUCCESS"]
    if not done:
        fail(f"no scheduled workflow is SUCCESS: {[w.get('status') for w in listed]}")

    from dbos import DBOSClient

    client = DBOSClient(system_database_url=args.url)
    try:
        schedules = client.list_schedules()
        mine = [s for s in schedules if s["schedule_name"] == args.schedule]
        if not mine:
            fail(f"DBOSClient.list_schedules() has no {args.schedule!r}: {schedules}")
        sched = mine[0]
        print(f"  list_schedules: {dict((k, sched[k]) for k in ('schedule_name', 'workflow_name', 'schedule', 'status', 'context', 'last_fired_at'))}")
        if sched["workflow_name"] != args.name or sched["status"] != "ACTIVE":
            fail(f"schedule row has workflow {sched['workflow_name']!r} status {sched['status']!r}")
        last = datetime.fromisoformat(sched["last_fired_at"] or "")
        if last.tzinfo is None:
            fail(f"last_fired_at {sched['last_fired_at']!r} has no UTC offset")

        statuses = client.list_workflows(workflow_ids=[done[0]["workflow_id"]], load_input=True)
        if not statuses:
            fail(f"DBOSClient does not list {done[0]['workflow_id']}")
        inputs = statuses[0].input
        print(f"  inputs of {done[0]['workflow_id']}: {inputs!r}")
        positional = inputs["args"] if isinstance(inputs, dict) else inputs.args
        scheduled_at = positional[0]
        if isinstance(scheduled_at, str):
            scheduled_at = datetime.fromisoformat(scheduled_at.replace("Z", "+00:00"))
        if scheduled_at.astimezone(timezone.utc) != datetime.fromisoformat(done[0]["workflow_id"][len(prefix):]):
            fail(f"first input {positional[0]!r} is not the tick in the ID")
        if len(positional) != 2:
            fail(f"expected inputs (tick, context), got {positional!r}")
    finally:
        client.destroy()
    print("  ok")


if __name__ == "__main__":
    main()
