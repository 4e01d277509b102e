#!/usr/bin/env python3
"""Check, with DBOS Python 3.4.0, a workflow that another DBOS (Swift) ran.

    check_workflow.py cli    --url URL --workflow-id ID [--name fixtureWorkflow] [--steps 3]
    check_workflow.py client --url URL --workflow-id ID [--expected-result JSON]
                             [--serialization portable_json]

`cli` drives the real `dbos` command line (`workflow list`, `get`, `steps`) and
checks the workflow is listed with its name and status SUCCESS and that its
steps step1..stepN were recorded in order. `client` uses `DBOSClient` to list
the workflow and decode its result (portable_json) with `get_result()`,
comparing it with the result the runner printed. Exit 0 on success, 1 with the
reason on the last line on failure.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from typing import Any, List

from checks import CheckFailed, check_main


def dbos_cli() -> str:
    candidate = os.path.join(os.path.dirname(sys.executable), "dbos")
    return candidate if os.path.exists(candidate) else "dbos"


def run_cli(*args: str) -> Any:
    command = [dbos_cli(), *args]
    shown = " ".join(["dbos", *args])
    try:
        proc = subprocess.run(command, capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        raise CheckFailed(f"`{shown}` timed out")
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise CheckFailed(f"`{shown}` exited {proc.returncode}: {tail}")
    try:
        return json.loads(proc.stdout)
    except json.JSONDecodeError:
        raise CheckFailed(f"`{shown}` printed no JSON: {proc.stdout.strip()[:200]!r}")


def check_cli(url: str, workflow_id: str, name: str, steps: int) -> None:
    listed = run_cli("workflow", "list", "-s", url, "--limit", "1000")
    if not isinstance(listed, list):
        raise CheckFailed(f"`dbos workflow list` returned {type(listed).__name__}, expected a list")
    ids = [w.get("workflow_id") for w in listed]
    print(f"  dbos workflow list: {len(listed)} workflow(s): {ids[:10]}")
    matches = [w for w in listed if w.get("workflow_id") == workflow_id]
    if not matches:
        raise CheckFailed(f"workflow {workflow_id} is not in `dbos workflow list` ({ids[:10]})")
    row = matches[0]
    if row.get("name") != name:
        raise CheckFailed(f"workflow {workflow_id} is named {row.get('name')!r}, expected {name!r}")
    if row.get("status") != "SUCCESS":
        raise CheckFailed(f"workflow {workflow_id} has status {row.get('status')!r}, expected 'SUCCESS' (error: {row.get('error')!r})")
    print(f"  listed: name={row['name']} status={row['status']} output={row.get('output')!r}")

    by_name = run_cli("workflow", "list", "-s", url, "--name", name, "--status", "SUCCESS", "--limit", "1000")
    if workflow_id not in [w.get("workflow_id") for w in by_name]:
        raise CheckFailed(f"`dbos workflow list --name {name} --status SUCCESS` does not list {workflow_id}")

    got = run_cli("workflow", "get", "-s", url, workflow_id)
    if got.get("status") != "SUCCESS" or got.get("name") != name:
        raise CheckFailed(f"`dbos workflow get` says name={got.get('name')!r} status={got.get('status')!r}")

    recorded = run_cli("workflow", "steps", "-s", url, workflow_id)
    if not isinstance(recorded, list):
        raise CheckFailed(f"`dbos workflow steps` returned {type(recorded).__name__}, expected a list")
    recorded.sort(key=lambda s: s.get("function_id") or 0)
    names = [s.get("function_name") for s in recorded]
    print(f"  dbos workflow steps: {[(s.get('function_id'), s.get('function_name'), s.get('output')) for s in recorded]}")
    expected = [f"step{i}" for i in range(1, steps + 1)]
    numbered = [n for n in names if isinstance(n, str) and re.fullmatch(r"step\d+", n)]
    if numbered != expected:
        raise CheckFailed(f"steps recorded as {names}, expected {expected} in this order")
    failed = [s for s in recorded if s.get("error") is not None]
    if failed:
        raise CheckFailed(f"step(s) recorded with errors: {[(s['function_name'], s['error']) for s in failed]}")
    ids_ = [s.get("function_id") for s in recorded]
    if len(set(ids_)) != len(ids_):
        raise CheckFailed(f"duplicate function_id values: {ids_}")


def stored_serialization(url: str, workflow_id: str) -> Any:
    """The `serialization` column of the workflow's row, read with plain SQL."""
    if url.startswith("sqlite:"):
        import sqlite3

        path = re.sub(r"^sqlite:(///)?", "", url).split("?")[0]  # SQLAlchemy form: sqlite:////abs/path
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            row = conn.execute(
                "SELECT serialization FROM workflow_status WHERE workflow_uuid = ?", (workflow_id,)
            ).fetchone()
    else:
        import psycopg

        with psycopg.connect(url) as conn:
            row = conn.execute(
                "SELECT serialization FROM dbos.workflow_status WHERE workflow_uuid = %s", (workflow_id,)
            ).fetchone()
    return row[0] if row else None


def check_client(url: str, workflow_id: str, expected: Any, has_expected: bool, serialization: str | None) -> None:
    from dbos import DBOSClient

    if serialization:
        found = stored_serialization(url, workflow_id)
        print(f"  workflow_status.serialization = {found!r}")
        if found != serialization:
            raise CheckFailed(f"workflow_status.serialization is {found!r}, expected {serialization!r}")

    client = DBOSClient(system_database_url=url)
    try:
        listed = client.list_workflows(workflow_ids=[workflow_id])
        if len(listed) != 1:
            raise CheckFailed(f"DBOSClient.list_workflows(workflow_ids=[{workflow_id!r}]) returned {len(listed)} rows")
        status = listed[0]
        if status.status != "SUCCESS":
            raise CheckFailed(f"DBOSClient sees status {status.status!r}, expected 'SUCCESS'")
        print(f"  DBOSClient.list_workflows: name={status.name} status={status.status} input={status.input!r} output={status.output!r}")
        handle = client.retrieve_workflow(workflow_id)
        try:
            result = handle.get_result()
        except Exception as error:
            raise CheckFailed(f"get_result() raised {type(error).__name__}: {error}")
        print(f"  DBOSClient.retrieve_workflow(...).get_result() = {result!r}")
        if has_expected and result != expected:
            raise CheckFailed(f"get_result() = {result!r}, but the runner printed RESULT {json.dumps(expected)}")
        steps = client.list_workflow_steps(workflow_id)
        print(f"  DBOSClient.list_workflow_steps: {[(s['function_name'], s['output']) for s in steps]}")
    finally:
        client.destroy()


@check_main
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["cli", "client"])
    parser.add_argument("--url", required=True)
    parser.add_argument("--workflow-id", required=True)
    parser.add_argument("--name", default="fixtureWorkflow")
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--expected-result", help="JSON the runner printed after RESULT")
    parser.add_argument("--serialization", help="expected workflow_status.serialization, e.g. portable_json")
    args = parser.parse_args()
    if args.mode == "cli":
        check_cli(args.url, args.workflow_id, args.name, args.steps)
    else:
        expected = None
        if args.expected_result is not None:
            try:
                expected = json.loads(args.expected_result)
            except json.JSONDecodeError as error:
                raise CheckFailed(f"the runner's RESULT is not JSON ({error}): {args.expected_result[:200]!r}")
        check_client(args.url, args.workflow_id, expected, args.expected_result is not None, args.serialization)


if __name__ == "__main__":
    sys.exit(main())
