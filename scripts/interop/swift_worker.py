"""The Swift `dbos-interop-worker serve` process, for the interop checks.

    with SwiftWorker(path, url, counter_file) as worker:   # started, READY seen
        ...
    # stopped with SIGTERM (then SIGKILL), its output tail printed

The worker registers `interopAdd`, `interopSummarize`, `interopInbox` and
`interopSteps` and serves the queue `interop_queue` (see
Tests/Fixtures/dbos-interop-worker/). Step bodies append `<workflow ID> <step>` lines to
the counter file.
"""
from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import time
from typing import Dict, List, Optional

from checks import CheckFailed

QUEUE = "interop_queue"
READY_TIMEOUT = 120  # launch includes migrating a fresh database


class SwiftWorker:
    def __init__(self, path: str, url: str, counter_file: str):
        self.path = path
        self.url = url
        self.counter_file = counter_file
        self.output = tempfile.TemporaryFile(mode="w+")
        self.process: Optional[subprocess.Popen] = None

    def __enter__(self) -> "SwiftWorker":
        command = [self.path, "serve", "--database-url", self.url, "--counter-file", self.counter_file,
                   "--exit-after-seconds", "600"]
        print("  $ " + " ".join(command))
        self.process = subprocess.Popen(command, stdout=self.output, stderr=subprocess.STDOUT, text=True)
        deadline = time.time() + READY_TIMEOUT
        while "READY" not in self.text().splitlines():
            if self.process.poll() is not None:
                raise CheckFailed(f"dbos-interop-worker exited ({self.process.returncode}) before READY:\n{self.tail()}")
            if time.time() > deadline:
                raise CheckFailed(f"dbos-interop-worker printed no READY within {READY_TIMEOUT}s")
            time.sleep(0.1)
        print("  dbos-interop-worker: READY")
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                code = self.process.wait(timeout=40)
                print(f"  dbos-interop-worker stopped by SIGTERM (exit {code})")
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                print("  dbos-interop-worker did not stop within 40s of SIGTERM: killed")
        print(self.tail())

    def text(self) -> str:
        self.output.flush()
        self.output.seek(0)
        return self.output.read()

    def tail(self, lines: int = 15) -> str:
        return "\n".join("    | " + line for line in self.text().splitlines()[-lines:])

    def counts(self, workflow_id: str) -> Dict[str, int]:
        """How often each step body ran for this workflow (from the counter file)."""
        result: Dict[str, int] = {}
        if not os.path.exists(self.counter_file):
            return result
        with open(self.counter_file) as f:
            for line in f:
                parts = line.split()
                if len(parts) == 2 and parts[0] == workflow_id:
                    result[parts[1]] = result.get(parts[1], 0) + 1
        return result


def portable_options(workflow_name: str, queue: str = QUEUE, **extra: object) -> dict:
    """EnqueueOptions for a workflow other languages can read (portable JSON)."""
    from dbos import EnqueueOptions
    from dbos._serialization import WorkflowSerializationFormat

    options = EnqueueOptions(workflow_name=workflow_name, queue_name=queue,
                             serialization_type=WorkflowSerializationFormat.PORTABLE)
    options.update(extra)  # type: ignore[typeddict-item]
    return options


def status_of(client: object, workflow_id: str) -> object:
    rows = client.list_workflows(workflow_ids=[workflow_id])  # type: ignore[attr-defined]
    if len(rows) != 1:
        raise CheckFailed(f"DBOSClient.list_workflows finds {len(rows)} rows for {workflow_id}")
    return rows[0]


def wait_for_status(client: object, workflow_id: str, wanted: List[str], timeout: float) -> object:
    deadline = time.time() + timeout
    while True:
        row = status_of(client, workflow_id)
        if row.status in wanted:  # type: ignore[attr-defined]
            return row
        if time.time() > deadline:
            raise CheckFailed(f"{workflow_id} is {row.status} after {timeout:.0f}s, expected one of {wanted}")  # type: ignore[attr-defined]
        time.sleep(0.1)


def get_result(handle: object, timeout: float) -> object:
    """handle.get_result() with a deadline (it would otherwise wait forever)."""
    import concurrent.futures

    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    future = pool.submit(handle.get_result)  # type: ignore[attr-defined]
    try:
        return future.result(timeout=timeout)
    except concurrent.futures.TimeoutError:
        raise CheckFailed(f"get_result() of {handle.get_workflow_id()} did not return within {timeout:.0f}s")  # type: ignore[attr-defined]
    finally:
        pool.shutdown(wait=False)
