#!/usr/bin/env python3
"""DBOS Python 3.4.0 drives workflows that a Swift worker process runs.

    check_swift_worker.py MODE --worker PATH --url URL --counter-file FILE

Starts `dbos-interop-worker serve` (Swift; queue `interop_queue`) on URL, waits
for its READY, then, per MODE:

`enqueue`      DBOSClient.enqueue(portable) of interopAdd(2, 3) and of
               interopSummarize("fruit", {"apple": 2, "pear": 3}); the Swift
               worker runs them; handle.get_result() returns 5 and
               {"label": "fruit", "total": 5, "keys": ["apple", "pear"]}.
`sql-enqueue`  (PostgreSQL) SELECT dbos.enqueue_workflow('interopAdd',
               'interop_queue', ARRAY['20'::json, '22'::json]); the result (42)
               is read by DBOSClient and by SQL (workflow_output.output).
`manage`       DBOSClient.enqueue of interopInbox(120): get_event("status") is
               "waiting" while its DBOS.recv waits; cancel_workflow -> CANCELLED
               (the worker stops that execution and the status stays); resume_workflow -> the worker runs it again
               (step "prepare" is not re-run); send("approved-by-python",
               topic "approval") -> SUCCESS with that result, event "received".
`fork`         DBOSClient.enqueue of interopSteps(4) -> [10, 20, 30, 40];
               fork_workflow(id, <function_id of step3>) -> the worker runs the
               fork to SUCCESS with the same result; step1 and step2 are copied
               (their bodies ran once in all), step3 and step4 ran again.

`debounce`     DebouncerClient (DBOS 3.4) debounces interopAdd on key "burst" with
               (1, 1) then (2, 3): one workflow, run by the Swift worker once the burst
               is quiet, with the last inputs (5). Then `dbos-interop-worker client
               --debounce-key swift-burst` (Swift's DBOSClient.debounce) starts a burst
               with (1, 1) and DebouncerClient extends it with (4, 5): the same workflow,
               result 9. Each ran once (counter file).

Exit 0 on success, 1 with the reason on the last line on failure.
"""
from __future__ import annotations

import argparse
import logging
import sys
import time
from typing import Any

from checks import CheckFailed, check_main
from swift_worker import SwiftWorker, get_result, portable_options, status_of, wait_for_status

RESULT_TIMEOUT = 60


def expect(what: str, got: Any, expected: Any) -> None:
    print(f"  {what} = {got!r}")
    if got != expected:
        raise CheckFailed(f"{what} = {got!r}, expected {expected!r}")


def check_enqueue(client: Any, worker: SwiftWorker) -> None:
    handle = client.enqueue(portable_options("interopAdd", workflow_id="py-enqueue-add"), 2, 3)
    expect("interopAdd(2, 3) get_result()", get_result(handle, RESULT_TIMEOUT), 5)
    row = status_of(client, "py-enqueue-add")
    print(f"  status {row.status}, queue {row.queue_name}, executor {row.executor_id}")
    if row.status != "SUCCESS" or row.queue_name != "interop_queue":
        raise CheckFailed(f"py-enqueue-add: status {row.status}, queue {row.queue_name}")
    expect("counter of py-enqueue-add", worker.counts("py-enqueue-add"), {"add": 1})
    handle = client.enqueue(portable_options("interopSummarize"), "fruit", {"apple": 2, "pear": 3})
    expect("interopSummarize get_result()", get_result(handle, RESULT_TIMEOUT),
           {"label": "fruit", "total": 5, "keys": ["apple", "pear"]})


def check_sql_enqueue(client: Any, worker: SwiftWorker, url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        workflow_id = conn.execute(
            "SELECT dbos.enqueue_workflow('interopAdd', 'interop_queue', ARRAY['20'::json, '22'::json],"
            " workflow_id => 'sql-enqueue-add')").fetchone()[0]
        print(f"  dbos.enqueue_workflow(...) = {workflow_id!r}")
        expect("DBOSClient get_result()", get_result(client.retrieve_workflow(workflow_id), RESULT_TIMEOUT), 42)
        row = conn.execute(
            "SELECT s.status, o.output, s.serialization FROM dbos.workflow_status s"
            " JOIN dbos.workflow_output o USING (workflow_uuid) WHERE s.workflow_uuid = %s", (workflow_id,)).fetchone()
        expect("SQL (status, output, serialization)", tuple(row), ("SUCCESS", "42", "portable_json"))
    expect("counter of sql-enqueue-add", worker.counts(workflow_id), {"add": 1})


def check_manage(client: Any, worker: SwiftWorker) -> None:
    from dbos._serialization import WorkflowSerializationFormat

    workflow_id = "py-manage-inbox"
    handle = client.enqueue(portable_options("interopInbox", workflow_id=workflow_id), 120.0)
    expect("get_event(status) while it waits", client.get_event(workflow_id, "status", timeout_seconds=60), "waiting")
    wait_for_recv(client, workflow_id)

    client.cancel_workflow(workflow_id)
    print("  DBOSClient.cancel_workflow")
    wait_for_status(client, workflow_id, ["CANCELLED"], 5)
    # The worker notices within about a second and stops the waiting execution (it logs so),
    # without overwriting the status.
    deadline = time.time() + 15
    while f"'{workflow_id}' was cancelled" not in worker.text():
        if time.time() > deadline:
            raise CheckFailed(f"the worker did not report stopping the cancelled {workflow_id} within 15s")
        time.sleep(0.1)
    print("  the worker stopped the cancelled execution")
    expect("status after the worker stopped it", status_of(client, workflow_id).status, "CANCELLED")

    client.resume_workflow(workflow_id)
    print("  DBOSClient.resume_workflow")
    row = wait_for_status(client, workflow_id, ["PENDING"], 30)
    print(f"  resumed: {row.status} on queue {row.queue_name}, executor {row.executor_id}")
    wait_for_recv(client, workflow_id)
    client.send(workflow_id, "approved-by-python", topic="approval",
                serialization_type=WorkflowSerializationFormat.PORTABLE)
    print("  DBOSClient.send(approved-by-python, topic=approval, PORTABLE)")
    expect("get_result() after resume + send", get_result(handle, RESULT_TIMEOUT), "approved-by-python")
    expect("status", status_of(client, workflow_id).status, "SUCCESS")
    expect("get_event(status) after completion", client.get_event(workflow_id, "status", timeout_seconds=5), "received")
    expect("counter of the inbox (prepare ran once)", worker.counts(workflow_id), {"prepare": 1})


def wait_for_recv(client: Any, workflow_id: str) -> None:
    """Returns once the workflow's DBOS.recv waits (its DBOS.sleep deadline is recorded)."""
    deadline = time.time() + 60
    names: list = []
    while time.time() < deadline:
        names = [s["function_name"] for s in client.list_workflow_steps(workflow_id)]
        if "DBOS.recv" in names:
            raise CheckFailed(f"the recv completed before anything was sent: steps {names}")
        if "DBOS.sleep" in names:
            print(f"  recv is waiting: steps {names}")
            time.sleep(0.3)
            return
        time.sleep(0.1)
    raise CheckFailed(f"the recv of {workflow_id} did not start waiting within 60s (steps: {names})")


def check_fork(client: Any, worker: SwiftWorker) -> None:
    workflow_id = "py-fork-steps"
    handle = client.enqueue(portable_options("interopSteps", workflow_id=workflow_id), 4)
    expect("interopSteps(4) get_result()", get_result(handle, RESULT_TIMEOUT), [10, 20, 30, 40])
    steps = {s["function_name"]: s["function_id"] for s in client.list_workflow_steps(workflow_id)}
    print(f"  steps of {workflow_id}: {steps}")
    if "step3" not in steps:
        raise CheckFailed(f"no step3 in {steps}")
    fork = client.fork_workflow(workflow_id, steps["step3"])
    fork_id = fork.get_workflow_id()
    print(f"  DBOSClient.fork_workflow({workflow_id!r}, {steps['step3']}) -> {fork_id}")
    expect("forked get_result()", get_result(fork, RESULT_TIMEOUT), [10, 20, 30, 40])
    row = status_of(client, fork_id)
    print(f"  fork: status {row.status}, forked_from {row.forked_from}, executor {row.executor_id}")
    if row.status != "SUCCESS" or row.forked_from != workflow_id:
        raise CheckFailed(f"fork: status {row.status}, forked_from {row.forked_from}")
    forked_steps = [(s["function_name"], s["output"]) for s in
                    sorted(client.list_workflow_steps(fork_id), key=lambda s: s["function_id"])]
    expect("steps of the fork", forked_steps, [("step1", 10), ("step2", 20), ("step3", 30), ("step4", 40)])
    expect("counter of the original", worker.counts(workflow_id), {"step1": 1, "step2": 1, "step3": 1, "step4": 1})
    expect("counter of the fork (step1, step2 copied)", worker.counts(fork_id), {"step3": 1, "step4": 1})


def check_debounce(client: Any, worker: SwiftWorker, worker_path: str, url: str) -> None:
    import subprocess

    from dbos._debouncer import DebouncerClient

    debouncer = DebouncerClient(client, portable_options("interopAdd"), queue="interop_queue")
    first = debouncer.debounce("burst", 3.0, 1, 1)
    second = debouncer.debounce("burst", 3.0, 2, 3)
    expect("the second debounce's workflow", second.workflow_id, first.workflow_id)
    expect("the burst's result (the last inputs)", get_result(first, RESULT_TIMEOUT), 5)
    expect("counter of the burst", worker.counts(first.workflow_id), {"add": 1})

    done = subprocess.run([worker_path, "client", "--database-url", url, "--queue", "interop_queue",
                           "--workflow", "interopAdd", "--args", "[1, 1]", "--debounce-key", "swift-burst",
                           "--debounce-period", "3"], capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise CheckFailed(f"dbos-interop-worker client --debounce-key exited {done.returncode}: {done.stderr.strip()}")
    swift_id = [line[9:] for line in done.stdout.splitlines() if line.startswith("WORKFLOW ")][0]
    print(f"  Swift DBOSClient.debounce -> {swift_id}")
    extended = debouncer.debounce("swift-burst", 3.0, 4, 5)
    expect("DebouncerClient on the Swift burst's key", extended.workflow_id, swift_id)
    expect("the Swift burst's result (Python's inputs)", get_result(extended, RESULT_TIMEOUT), 9)
    expect("counter of the Swift burst", worker.counts(swift_id), {"add": 1})


@check_main
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["enqueue", "sql-enqueue", "manage", "fork", "debounce"])
    parser.add_argument("--worker", required=True, help="path of dbos-interop-worker")
    parser.add_argument("--url", required=True)
    parser.add_argument("--counter-file", required=True)
    args = parser.parse_args()

    from dbos import DBOSClient

    logging.getLogger("dbos").setLevel(logging.WARNING)
    client = None
    try:
        with SwiftWorker(args.worker, args.url, args.counter_file) as worker:
            client = DBOSClient(system_database_url=args.url)
            if args.mode == "enqueue":
                check_enqueue(client, worker)
            elif args.mode == "sql-enqueue":
                check_sql_enqueue(client, worker, args.url)
            elif args.mode == "manage":
                check_manage(client, worker)
            elif args.mode == "debounce":
                check_debounce(client, worker, args.worker, args.url)
            else:
                check_fork(client, worker)
    finally:
        if client is not None:
            client.destroy()


if __name__ == "__main__":
    sys.exit(main())
