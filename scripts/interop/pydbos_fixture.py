#!/usr/bin/env python3
"""DBOS Python twin of the Swift `dbos-test-fixture` executable.

    pydbos_fixture.py --database-url URL --workflow-id ID --steps N [--counter-file PATH]
                      [--serialization portable|default]

Runs a workflow named `fixtureWorkflow` with steps `step1`..`stepN` in the
portable_json serialization (so DBOS Swift can read it; with `default`, in
DBOS Python's default pickle format `py_pickle` instead) and prints
`RESULT <json>`. Used to check that the Swift side reads workflows written by
Python, and to self-test the interop checkers without the Swift fixture.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys


def bump(counter_file: str | None) -> None:
    if not counter_file:
        return
    count = 0
    if os.path.exists(counter_file):
        with open(counter_file) as f:
            text = f.read().strip()
            count = int(text) if text else 0
    with open(counter_file, "w") as f:
        f.write(str(count + 1))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--workflow-id", required=True)
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--counter-file")
    parser.add_argument("--serialization", choices=["portable", "default"], default="portable")
    args = parser.parse_args()

    from dbos import DBOS, SetWorkflowID
    from dbos._serialization import WorkflowSerializationFormat

    serialization = WorkflowSerializationFormat.PORTABLE if args.serialization == "portable" else None

    def make_step(index: int):
        @DBOS.step(name=f"step{index}")
        def step() -> int:
            bump(args.counter_file)
            return index * 10

        return step

    steps = [make_step(i) for i in range(1, args.steps + 1)]

    @DBOS.workflow(name="fixtureWorkflow", serialization_type=serialization)
    def fixture_workflow(count: int) -> dict:
        values = [steps[i]() for i in range(count)]
        return {"steps": count, "values": values, "sum": sum(values)}

    DBOS(config={"name": "interop-fixture", "system_database_url": args.database_url})
    logging.getLogger("dbos").setLevel(logging.WARNING)
    DBOS.launch()
    try:
        with SetWorkflowID(args.workflow_id):
            result = fixture_workflow(args.steps)
    finally:
        DBOS.destroy()
    print("RESULT " + json.dumps(result, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
