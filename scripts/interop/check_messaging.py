#!/usr/bin/env python3
"""Durable messaging between DBOS Python 3.4.0 (DBOSClient) and the Swift fixture.

    check_messaging.py send  --fixture PATH --url URL --workflow-id ID [--counter-file F]
    check_messaging.py event --fixture PATH --url URL --workflow-id ID [--counter-file F]
                             [--key KEY --value VALUE]

Both start `dbos-test-fixture --recv-timeout 60` in the background (workflow
`fixtureInbox`: step "prepare", then `DBOS.recv(String, topic: "approval")`) and
wait, through `DBOSClient.list_workflow_steps`, until its recv is waiting (its
`DBOS.sleep` deadline is recorded).

`send`: `DBOSClient.send(ID, "approved-by-python", topic="approval")` in the
portable serialization; the fixture must print `RESULT "approved-by-python"` and
exit 0, and DBOS Python must then see the workflow's result and its `DBOS.recv`
step output as that string.

`event`: the fixture also gets `--set-event KEY=VALUE` (DBOS.setEvent before the
recv); `DBOSClient.get_event(ID, KEY)` must return VALUE while the workflow is
still waiting and again after it finished. A portable message then lets the
fixture finish (exit 0).

Exit 0 on success, 1 with the reason on the last line on failure.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from typing import Any, List, Optional

from checks import CheckFailed, check_main

RECV_TIMEOUT = 60  # the fixture's recv timeout, seconds
WAIT_FOR_RECV = 60  # how long the fixture may take to reach its recv
WAIT_FOR_EXIT = 30  # how long the fixture may take to finish after the message is sent
TOPIC = "approval"


class Fixture:
    """dbos-test-fixture running in the background, its output collected in a file."""

    def __init__(self, path: str, url: str, workflow_id: str, counter_file: Optional[str], extra: List[str]):
        self.command = [path, "--database-url", url, "--workflow-id", workflow_id,
                        "--recv-timeout", str(RECV_TIMEOUT)] + extra
        if counter_file:
            self.command += ["--counter-file", counter_file]
        self.output = tempfile.TemporaryFile(mode="w+")
        print("  $ " + " ".join(self.command))
        self.process = subprocess.Popen(self.command, stdout=self.output, stderr=subprocess.STDOUT, text=True)

    def text(self) -> str:
        self.output.flush()
        self.output.seek(0)
        return self.output.read()

    def tail(self, lines: int = 15) -> str:
        return "\n".join("    | " + line for line in self.text().splitlines()[-lines:])

    def wait(self, timeout: float) -> int:
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise CheckFailed(f"dbos-test-fixture did not exit within {timeout:.0f}s")

    def result(self) -> Any:
        lines = [line for line in self.text().splitlines() if line.startswith("RESULT ")]
        if not lines:
            raise CheckFailed("dbos-test-fixture printed no 'RESULT <json>' line")
        try:
            return json.loads(lines[-1][len("RESULT "):])
        except json.JSONDecodeError as error:
            raise CheckFailed(f"dbos-test-fixture's RESULT is not JSON ({error}): {lines[-1][:200]!r}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def steps_of(client: Any, workflow_id: str, load_output: bool) -> List[Any]:
    steps = client.list_workflow_steps(workflow_id, load_output=load_output)
    return sorted(steps, key=lambda s: s["function_id"])


def wait_for_recv(client: Any, fixture: Fixture, workflow_id: str) -> None:
    """Returns once the fixture's recv has recorded its deadline (so it waits)."""
    deadline = time.time() + WAIT_FOR_RECV
    names: List[str] = []
    while time.time() < deadline:
        if fixture.process.poll() is not None:
            raise CheckFailed(f"dbos-test-fixture exited ({fixture.process.returncode}) before its recv waited")
        try:
            names = [s["function_name"] for s in steps_of(client, workflow_id, load_output=False)]
        except Exception as error:  # the schema or the workflow may not exist yet
            names = [f"({type(error).__name__}: {error})"]
        if "DBOS.sleep" in names:
            if "DBOS.recv" in names:
                raise CheckFailed(f"the recv completed before anything was sent: steps {names}")
            print(f"  recv is waiting: steps {names}")
            time.sleep(0.5)  # let it go from its first check to waiting for a wake-up
            return
        time.sleep(0.1)
    raise CheckFailed(f"the fixture's recv did not start waiting within {WAIT_FOR_RECV}s (steps: {names})")


def send_portable(client: Any, workflow_id: str, message: str) -> float:
    from dbos._serialization import WorkflowSerializationFormat

    started = time.time()
    client.send(workflow_id, message, topic=TOPIC, serialization_type=WorkflowSerializationFormat.PORTABLE)
    print(f"  DBOSClient.send({workflow_id!r}, {message!r}, topic={TOPIC!r}, serialization_type=PORTABLE)")
    return started


def finish(fixture: Fixture, sent_at: float, expected: str) -> None:
    code = fixture.wait(WAIT_FOR_EXIT)
    took = time.time() - sent_at
    print(f"  dbos-test-fixture exited {code} {took:.2f}s after the send")
    if code != 0:
        raise CheckFailed(f"dbos-test-fixture exited {code}")
    result = fixture.result()
    print(f"  dbos-test-fixture: RESULT {json.dumps(result)}")
    if result != expected:
        raise CheckFailed(f"dbos-test-fixture's recv returned {result!r}, expected {expected!r}")
    if took > 5:
        print(f"  note: the message took {took:.1f}s to wake the recv (no prompt wake-up?)")


def check_after(client: Any, workflow_id: str, expected: str) -> None:
    """DBOS Python's view of the finished workflow: its result and the recv step's output."""
    status = client.list_workflows(workflow_ids=[workflow_id])
    if len(status) != 1 or status[0].status != "SUCCESS":
        raise CheckFailed(f"DBOSClient.list_workflows sees {[(s.workflow_id, s.status) for s in status]}, expected SUCCESS")
    result = client.retrieve_workflow(workflow_id).get_result()
    print(f"  DBOSClient get_result() = {result!r}")
    if result != expected:
        raise CheckFailed(f"DBOSClient get_result() = {result!r}, expected {expected!r}")
    steps = steps_of(client, workflow_id, load_output=True)
    shown = [(s["function_id"], s["function_name"], s["output"], s["error"]) for s in steps]
    print(f"  DBOSClient.list_workflow_steps: {shown}")
    recvs = [s for s in steps if s["function_name"] == "DBOS.recv"]
    if len(recvs) != 1 or recvs[0]["output"] != expected:
        raise CheckFailed(f"expected one DBOS.recv step with output {expected!r}; steps: {shown}")


def check_send(args: argparse.Namespace) -> None:
    message = "approved-by-python"
    fixture = Fixture(args.fixture, args.url, args.workflow_id, args.counter_file, [])
    client = None
    try:
        client = connect(args.url, fixture)
        wait_for_recv(client, fixture, args.workflow_id)
        sent_at = send_portable(client, args.workflow_id, message)
        finish(fixture, sent_at, message)
        check_after(client, args.workflow_id, message)
    finally:
        fixture.stop()
        print(fixture.tail())
        if client is not None:
            client.destroy()


def check_event(args: argparse.Namespace) -> None:
    fixture = Fixture(args.fixture, args.url, args.workflow_id, args.counter_file,
                      ["--set-event", f"{args.key}={args.value}"])
    client = None
    try:
        client = connect(args.url, fixture)
        wait_for_recv(client, fixture, args.workflow_id)
        started = time.time()
        value = client.get_event(args.workflow_id, args.key, timeout_seconds=30)
        print(f"  DBOSClient.get_event({args.workflow_id!r}, {args.key!r}) = {value!r} ({time.time() - started:.2f}s)")
        if value != args.value:
            raise CheckFailed(f"DBOSClient.get_event returned {value!r}, expected {args.value!r}")
        missing = client.get_event(args.workflow_id, args.key + "-unset", timeout_seconds=0.5)
        if missing is not None:
            raise CheckFailed(f"DBOSClient.get_event of an unset key returned {missing!r}, expected None")
        # Let the fixture finish, then read the event again from the finished workflow.
        message = "done-by-python"
        sent_at = send_portable(client, args.workflow_id, message)
        finish(fixture, sent_at, message)
        again = client.get_event(args.workflow_id, args.key, timeout_seconds=5)
        print(f"  after the workflow finished: get_event = {again!r}")
        if again != args.value:
            raise CheckFailed(f"DBOSClient.get_event after completion returned {again!r}, expected {args.value!r}")
        steps = steps_of(client, args.workflow_id, load_output=True)
        shown = [(s["function_id"], s["function_name"], s["output"], s["error"]) for s in steps]
        print(f"  DBOSClient.list_workflow_steps: {shown}")
        if [s["function_name"] for s in steps].count("DBOS.setEvent") != 1:
            raise CheckFailed(f"expected one DBOS.setEvent step; steps: {shown}")
    finally:
        fixture.stop()
        print(fixture.tail())
        if client is not None:
            client.destroy()


def connect(url: str, fixture: Fixture) -> Any:
    """A DBOSClient on the fixture's database, once the fixture has created its schema."""
    from dbos import DBOSClient

    deadline = time.time() + WAIT_FOR_RECV
    while True:
        # Do not race the fixture's migrations: wait until its workflow row exists.
        if workflow_row_exists(url, fixture):
            return DBOSClient(system_database_url=url)
        if fixture.process.poll() is not None:
            raise CheckFailed(f"dbos-test-fixture exited ({fixture.process.returncode}) before starting its workflow")
        if time.time() > deadline:
            raise CheckFailed(f"dbos-test-fixture did not start its workflow within {WAIT_FOR_RECV}s")
        time.sleep(0.1)


def workflow_row_exists(url: str, fixture: Fixture) -> bool:
    workflow_id = fixture.command[fixture.command.index("--workflow-id") + 1]
    try:
        if url.startswith("sqlite:"):
            import re
            import sqlite3

            path = re.sub(r"^sqlite:(///)?", "", url).split("?")[0]
            if not os.path.exists(path):
                return False
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as conn:
                row = conn.execute("SELECT 1 FROM workflow_status WHERE workflow_uuid = ?", (workflow_id,)).fetchone()
        else:
            import psycopg

            with psycopg.connect(url, connect_timeout=5) as conn:
                row = conn.execute("SELECT 1 FROM dbos.workflow_status WHERE workflow_uuid = %s", (workflow_id,)).fetchone()
        return row is not None
    except Exception:
        return False  # no schema yet


@check_main
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["send", "event"])
    parser.add_argument("--fixture", required=True, help="path of dbos-test-fixture")
    parser.add_argument("--url", required=True)
    parser.add_argument("--workflow-id", required=True)
    parser.add_argument("--counter-file")
    parser.add_argument("--key", default="status")
    parser.add_argument("--value", default="ready-from-swift")
    args = parser.parse_args()
    import logging

    import dbos  # noqa: F401  (slow to import: do it before the fixture starts waiting)

    logging.getLogger("dbos").setLevel(logging.WARNING)
    if args.mode == "send":
        check_send(args)
    else:
        check_event(args)


if __name__ == "__main__":
    sys.exit(main())
