#!/usr/bin/env python3
"""The Swift DBOSClient enqueues work that a DBOS Python 3.4.0 worker runs.

    check_swift_client.py --worker PATH --url URL

Launches DBOS Python in this process with the queue `py_queue` and the workflow
`pyConcat(text, times) -> {"joined": text * times, "length": ...}` (portable
serialization, so Swift can decode it), then runs
`dbos-interop-worker client --queue py_queue --workflow pyConcat --args '["ab", 3]'`
(Swift DBOSClient.enqueue by name + result(of:)), which must print
`RESULT {"joined":"ababab","length":6}`. DBOS Python must agree on the row:
SUCCESS, queue py_queue, run by this process; and it must read the trace the Swift client
stored where DBOS keeps it: `attributes["dbos.otelContext"]` holding the client's trace ID
(printed as `TRACE <id>`; the Swift side used an in-memory tracer, so the carrier's key is
`in-memory-trace-id` rather than OpenTelemetry's `traceparent`).

Exit 0 on success, 1 with the reason on the last line on failure.
"""
from __future__ import annotations

import argparse
import json
import logging
import subprocess
import sys
from typing import Tuple

from checks import CheckFailed, check_main

QUEUE = "py_queue"
WORKFLOW_ID = "swift-client-concat"


def run_swift_client(worker: str, url: str) -> Tuple[dict, str]:
    command = [worker, "client", "--database-url", url, "--queue", QUEUE, "--workflow", "pyConcat",
               "--args", '["ab", 3]', "--workflow-id", WORKFLOW_ID, "--timeout", "60"]
    print("  $ " + " ".join(command))
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        raise CheckFailed("dbos-interop-worker client did not finish within 120s")
    for line in (done.stdout + done.stderr).splitlines()[-10:]:
        print("    | " + line)
    if done.returncode != 0:
        raise CheckFailed(f"dbos-interop-worker client exited {done.returncode}: {done.stderr.strip()[-300:]}")
    results = [line[len("RESULT "):] for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    traces = [line[len("TRACE "):] for line in done.stdout.splitlines() if line.startswith("TRACE ")]
    if not results or not traces:
        raise CheckFailed("dbos-interop-worker client printed no RESULT or no TRACE line")
    return json.loads(results[-1]), traces[-1]


@check_main
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--worker", required=True, help="path of dbos-interop-worker")
    parser.add_argument("--url", required=True)
    args = parser.parse_args()

    from dbos import DBOS
    from dbos._serialization import WorkflowSerializationFormat

    @DBOS.step(name="repeat")
    def repeat(text: str, times: int) -> str:
        return text * times

    @DBOS.workflow(name="pyConcat", serialization_type=WorkflowSerializationFormat.PORTABLE)
    def py_concat(text: str, times: int) -> dict:
        joined = repeat(text, times)
        return {"joined": joined, "length": len(joined)}

    DBOS(config={"name": "interop-python-worker", "system_database_url": args.url})
    logging.getLogger("dbos").setLevel(logging.WARNING)
    DBOS.launch()
    try:
        DBOS.register_queue(QUEUE, polling_interval_sec=0.2)  # needs the launched system database
        result, trace_id = run_swift_client(args.worker, args.url)
        print(f"  Swift DBOSClient result: {result!r}")
        expected = {"joined": "ababab", "length": 6}
        if result != expected:
            raise CheckFailed(f"Swift DBOSClient result {result!r}, expected {expected!r}")
        status = DBOS.get_workflow_status(WORKFLOW_ID)
        if status is None:
            raise CheckFailed(f"DBOS Python does not know {WORKFLOW_ID}")
        print(f"  DBOS Python: status {status.status}, queue {status.queue_name}, executor {status.executor_id}")
        if status.status != "SUCCESS" or status.queue_name != QUEUE:
            raise CheckFailed(f"{WORKFLOW_ID}: status {status.status}, queue {status.queue_name}")
        attributes = status.attributes
        print(f"  DBOS Python reads attributes {attributes!r}")
        carrier = attributes.get("dbos.otelContext") if isinstance(attributes, dict) else None
        if not isinstance(carrier, dict) or carrier.get("in-memory-trace-id") != trace_id:
            raise CheckFailed(f"{WORKFLOW_ID}: attributes {attributes!r} do not carry the client's trace {trace_id}")
    finally:
        DBOS.destroy()


if __name__ == "__main__":
    sys.exit(main())
