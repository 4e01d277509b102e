#!/usr/bin/env python3
"""dbos-swift shows workflows whose payloads DBOS Python pickled (its default format).

    check_swift_cli_pickle.py --cli PATH --url URL --workflow-id ID --steps N

The workflow ID must have been run by `pydbos_fixture.py --serialization default`
(`fixtureWorkflow`, inputs/outputs in `py_pickle`). Runs
`dbos-swift workflow list` (table and --json), `workflow get` (table and --json)
and `workflow steps --json`; each must exit 0 and show the workflow with status
SUCCESS and name fixtureWorkflow, and its input/output (and the steps' outputs)
as the opaque marker `<py_pickle payload>`, never as an error or raw pickle text.

Exit 0 on success, 1 with the reason on the last line on failure.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from typing import Any, List

from checks import CheckFailed, check_main

MARKER = "<py_pickle payload>"


def run(cli: str, url: str, arguments: List[str]) -> str:
    command = [cli] + arguments + ["--database-url", url]
    print("  $ dbos-swift " + " ".join(arguments))
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    for line in done.stdout.splitlines()[:12]:
        print("    | " + line[:200])
    if done.returncode != 0:
        raise CheckFailed(f"dbos-swift {' '.join(arguments)} exited {done.returncode}: {done.stderr.strip()[-300:]}")
    return done.stdout


def parse_json(text: str, what: str) -> Any:
    start = min([i for i in (text.find("["), text.find("{")) if i >= 0], default=-1)
    if start < 0:
        raise CheckFailed(f"{what} printed no JSON")
    return json.JSONDecoder().raw_decode(text[start:])[0]


def check_row(row: dict, workflow_id: str, what: str) -> None:
    problems = []
    if row.get("status") != "SUCCESS" or row.get("name") != "fixtureWorkflow":
        problems.append(f"status/name {row.get('status')}/{row.get('name')}")
    for key in ("input", "output"):
        if row.get(key) != MARKER:
            problems.append(f"{key} {str(row.get(key))[:80]!r} (expected {MARKER!r})")
    if problems:
        raise CheckFailed(f"{what}: {workflow_id}: " + "; ".join(problems))


@check_main
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cli", required=True, help="path of dbos-swift")
    parser.add_argument("--url", required=True)
    parser.add_argument("--workflow-id", required=True)
    parser.add_argument("--steps", type=int, required=True)
    args = parser.parse_args()
    wid = args.workflow_id
    table = run(args.cli, args.url, ["workflow", "list"])
    lines = [line for line in table.splitlines() if line.startswith(wid + " ")]
    if len(lines) != 1 or "SUCCESS" not in lines[0].split() or "fixtureWorkflow" not in lines[0].split():
        raise CheckFailed(f"workflow list (table): no row '{wid} SUCCESS fixtureWorkflow ...' in:\n{table}")

    rows = parse_json(run(args.cli, args.url, ["workflow", "list", "--json"]), "workflow list --json")
    match = [r for r in rows if r.get("workflow_id") == wid]
    if len(match) != 1:
        raise CheckFailed(f"workflow list --json: {len(match)} rows for {wid}")
    check_row(match[0], wid, "workflow list --json")

    details = run(args.cli, args.url, ["workflow", "get", wid])
    for label in ("Input:", "Output:"):
        shown = [line for line in details.splitlines() if line.startswith(label)]
        if len(shown) != 1 or not shown[0].rstrip().endswith(MARKER):
            raise CheckFailed(f"workflow get: {label} line is {shown!r}, expected it to show {MARKER!r}")
    if "Serialization:" not in details or "py_pickle" not in details:
        raise CheckFailed("workflow get: no 'Serialization: py_pickle' line")

    check_row(parse_json(run(args.cli, args.url, ["workflow", "get", wid, "--json"]), "workflow get --json"),
              wid, "workflow get --json")

    steps = parse_json(run(args.cli, args.url, ["workflow", "steps", wid, "--json"]), "workflow steps --json")
    shown = [(s.get("function_name"), s.get("output")) for s in steps]
    expected = [(f"step{i}", MARKER) for i in range(1, args.steps + 1)]
    if shown != expected:
        raise CheckFailed(f"workflow steps --json: {shown}, expected {expected}")
    print(f"  {wid}: SUCCESS fixtureWorkflow, payloads shown as {MARKER}")


if __name__ == "__main__":
    sys.exit(main())
