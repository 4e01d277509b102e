#!/usr/bin/env python3
"""A DBOS Python 3.4.0 process recovers patched workflows a Swift worker started.

    check_patch_recovery.py --worker PATH --url URL --counter-file FILE

Starts `dbos-interop-worker serve` (Swift) with application version `patch-interop`, and
DBOSClient.enqueue()s `interopOrderV1` (code before the change: steps one, two) and
`interopOrderV2` (after it: one, DBOS.patch("two-new"), twoNew). Once both wait for a
message, the Swift worker is SIGKILLed. A DBOS Python process of the same version and
executor then launches with its twins of both workflows, each written with the patch, and
recovers them: the run that started before the change replays the old branch ("old:go"),
the patched one the new branch ("new:go"), with the step rows DBOS Python 3.4.0 expects.

Exit 0 on success, 1 with the reason on the last line on failure.
"""
from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import time

from checks import CheckFailed, check_main
from swift_worker import SwiftWorker, portable_options, status_of

VERSION = "patch-interop"
TIMEOUT = 60


def wait_for(what: str, condition) -> None:
    deadline = time.time() + TIMEOUT
    while not condition():
        if time.time() > deadline:
            raise CheckFailed(f"timed out waiting for {what}")
        time.sleep(0.1)


def steps_of(client, workflow_id: str) -> list:
    return [step["function_name"] for step in client.list_workflow_steps(workflow_id)]


@check_main
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--worker", required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--counter-file", required=True)
    args = parser.parse_args()

    from dbos import DBOS, DBOSClient
    from dbos._serialization import WorkflowSerializationFormat

    logging.getLogger("dbos").setLevel(logging.WARNING)
    os.environ["DBOS__APPVERSION"] = VERSION   # the Swift worker's version
    client = DBOSClient(system_database_url=args.url)
    try:
        with SwiftWorker(args.worker, args.url, args.counter_file) as worker:
            for name, workflow_id in (("interopOrderV1", "order-before"), ("interopOrderV2", "order-after")):
                client.enqueue(portable_options(name, workflow_id=workflow_id, app_version=VERSION))
            for workflow_id in ("order-before", "order-after"):
                wait_for(f"{workflow_id} to wait for its message",
                         lambda: "DBOS.recv" in steps_of(client, workflow_id) or "DBOS.sleep" in steps_of(client, workflow_id))
            before, after = steps_of(client, "order-before"), steps_of(client, "order-after")
            print(f"  Swift recorded order-before: {before}")
            print(f"  Swift recorded order-after:  {after}")
            if before[:2] != ["one", "two"] or after[:3] != ["one", "DBOS.patch-two-new", "twoNew"]:
                raise CheckFailed(f"unexpected Swift histories: {before}, {after}")
            worker.process.send_signal(signal.SIGKILL)
            worker.process.wait()
            print("  dbos-interop-worker SIGKILLed")
        for workflow_id in ("order-before", "order-after"):
            if status_of(client, workflow_id).status != "PENDING":
                raise CheckFailed(f"{workflow_id} is not PENDING after the kill")

        @DBOS.step(name="one")
        def one() -> int:
            return 1

        @DBOS.step(name="two")
        def two() -> int:
            return 2

        @DBOS.step(name="twoNew")
        def two_new() -> int:
            return 2

        def patched_order() -> str:
            one()
            new = DBOS.patch("two-new")
            two_new() if new else two()
            message = DBOS.recv("go", timeout_seconds=600)
            return f"{'new' if new else 'old'}:{message}"

        @DBOS.workflow(name="interopOrderV1", serialization_type=WorkflowSerializationFormat.PORTABLE)
        def order_v1() -> str:
            return patched_order()

        @DBOS.workflow(name="interopOrderV2", serialization_type=WorkflowSerializationFormat.PORTABLE)
        def order_v2() -> str:
            return patched_order()

        DBOS(config={"name": "interop-patch", "system_database_url": args.url,
                     "application_version": VERSION, "executor_id": "local"})
        DBOS.launch()
        try:
            # The recovered workflows came from this queue, and recovery puts them back on it.
            DBOS.register_queue("interop_queue", polling_interval_sec=0.2)  # needs the launched system database
            for workflow_id in ("order-before", "order-after"):
                DBOS.send(workflow_id, "go", "go")
            results = {wid: DBOS.retrieve_workflow(wid).get_result() for wid in ("order-before", "order-after")}
            print(f"  DBOS Python results: {results}")
            if results != {"order-before": "old:go", "order-after": "new:go"}:
                raise CheckFailed(f"recovered results {results}, expected old:go and new:go")
            before, after = steps_of(client, "order-before"), steps_of(client, "order-after")
            print(f"  final order-before: {before}")
            print(f"  final order-after:  {after}")
            if "DBOS.patch-two-new" in before or after.count("DBOS.patch-two-new") != 1 or "two" in after:
                raise CheckFailed(f"histories after recovery: {before}, {after}")
        finally:
            DBOS.destroy()
    finally:
        client.destroy()


if __name__ == "__main__":
    sys.exit(main())
