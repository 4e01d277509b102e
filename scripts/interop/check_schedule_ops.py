#!/usr/bin/env python3
"""Check that DBOS Python 3.4.0 and dbos-swift manage the same stored schedule alike.

    check_schedule_ops.py --cli PATH/dbos-swift --url URL [--schedule every-second]

Runs after `dbos-test-fixture --schedule S` stored the schedule (a Swift runtime's). Pauses it
with `dbos-swift schedule pause` and reads PAUSED with `DBOSClient.list_schedules()`; resumes
it with `DBOSClient.resume_schedule` and reads ACTIVE with `dbos-swift schedule list --json`;
backfills a past window with `DBOSClient.backfill_schedule` and then with `dbos-swift schedule
backfill`: both name the same workflow IDs, and the second enqueues nothing more.
"""
import argparse
import json
import subprocess
import sys
from datetime import datetime, timezone


def fail(message):
    print(f"  FAIL: {message}")
    sys.exit(1)


def swift(cli, *arguments):
    done = subprocess.run([cli, *arguments], capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        fail(f"dbos-swift {' '.join(arguments)} exited {done.returncode}: {done.stderr.strip()}")
    return done.stdout


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cli", required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--schedule", default="every-second")
    args = parser.parse_args()

    from dbos import DBOSClient
    from dbos._serialization import DBOSPortableJSONSerializer

    # A schedule's context has no serialization column: DBOS Python reads it with the client's
    # serializer, which must be portable JSON for a schedule another language stored.
    client = DBOSClient(system_database_url=args.url, serializer=DBOSPortableJSONSerializer())
    try:
        def status():
            return [s for s in client.list_schedules() if s["schedule_name"] == args.schedule][0]["status"]

        swift(args.cli, "schedule", "pause", args.schedule, "--database-url", args.url)
        if status() != "PAUSED":
            fail(f"after dbos-swift schedule pause, DBOS Python reads {status()!r}")
        client.resume_schedule(args.schedule)
        listed = json.loads(swift(args.cli, "schedule", "list", args.schedule, "--json", "--database-url", args.url))
        if listed[0]["status"] != "ACTIVE":
            fail(f"after DBOSClient.resume_schedule, dbos-swift reads {listed[0]['status']!r}")
        print("  pause (Swift) and resume (Python) agree")

        start = datetime(2026, 1, 1, 0, 0, 0, tzinfo=timezone.utc)
        end = datetime(2026, 1, 1, 0, 0, 4, tzinfo=timezone.utc)
        handles = client.backfill_schedule(args.schedule, start, end)
        python_ids = [h.workflow_id for h in handles]
        swift_ids = swift(args.cli, "schedule", "backfill", args.schedule, "--start", "2026-01-01T00:00:00Z",
                          "--end", "2026-01-01T00:00:04Z", "--database-url", args.url).split()
        print(f"  backfill: Python {python_ids}, Swift {swift_ids}")
        if python_ids != swift_ids or len(swift_ids) != 3:
            fail("DBOS Python and dbos-swift backfill different ticks")
        rows = client.list_workflows(workflow_ids=swift_ids)
        if len(rows) != 3:
            fail(f"expected one workflow per tick, found {[r.workflow_id for r in rows]}")
    finally:
        client.destroy()
    print("  ok")


if __name__ == "__main__":
    main()
