#!/usr/bin/env python3
"""DBOS Transact Python 3.4.0 on the workloads of `dbos-bench`, for ratios measured in one run.

    dbos_python_bench.py --database-url postgresql://... [--workloads sequential,concurrent,queue-1-worker]

The same workflow as `dbos-bench` (three no-op steps: 5 commits), the same counts and
concurrency, and the same metrics:

- sequential: 500 workflows one at a time; concurrent: 2000 with 64 in flight (64 threads,
  after 64 untimed warm-up workflows). `workflows_per_s` = workflows / wall time.
- queue-1-worker: 1000 workflows enqueued with no worker, then one worker (worker concurrency
  64, polling 100 ms) drains them. `workflows_per_s` = workflows / drain time, from the first
  dequeue to the last completion (stored `started_at_epoch_ms` and `completed_at`).
- queue-3-workers: the same with three worker processes (this script with `--role worker`),
  each with its own executor ID, draining one queue.

Prints one JSON object per workload and line (as `dbos-bench --json` does).
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--workloads", default="sequential,concurrent,queue-1-worker")
    parser.add_argument("--sequential-workflows", type=int, default=500)
    parser.add_argument("--concurrent-workflows", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--warmup", type=int, default=64)
    parser.add_argument("--queue-workflows", type=int, default=1000)
    parser.add_argument("--worker-concurrency", type=int, default=64)
    # The queue-3-workers child role.
    parser.add_argument("--role", default=None)
    parser.add_argument("--queue-name", default=None)
    parser.add_argument("--executor-id", default=None)
    parser.add_argument("--app-version", default=None)
    args = parser.parse_args()
    logging.disable(logging.WARNING)

    from dbos import DBOS, DBOSClient, DBOSConfig, EnqueueOptions

    run = uuid.uuid4().hex[:8]
    queue_name = f"dbos_py_bench_queue_{run}"
    queue3_name = f"dbos_py_bench_queue3_{run}"

    @DBOS.step(name="s1")
    def s1() -> int:
        return 1

    @DBOS.step(name="s2")
    def s2() -> int:
        return 2

    @DBOS.step(name="s3")
    def s3() -> int:
        return 3

    @DBOS.workflow(name="dbos_py_bench_three_steps")
    def three_steps(index: int) -> int:
        return index + s1() + s2() + s3()

    workloads = args.workloads.split(",")
    version = args.app_version or f"dbos-py-bench-{run}"
    config: DBOSConfig = {
        "name": version,   # one application: the workers share the parent's name and version
        "system_database_url": args.database_url,
        "sys_db_pool_size": args.concurrency,
        "application_version": version,
        "executor_id": args.executor_id or f"dbos-py-bench-{run}",
        "max_executor_threads": args.concurrency + 16,
    }

    if args.role == "worker":
        # Serve the queue until standard input closes.
        DBOS(config=config)
        DBOS.launch()
        DBOS.register_queue(args.queue_name, worker_concurrency=args.worker_concurrency, polling_interval_sec=0.1)
        print("ready", flush=True)
        sys.stdin.read()
        DBOS.destroy()
        return 0

    def fill(name: str) -> float:
        """Enqueues the queue workload with a client (no worker running); returns the seconds it took."""
        client = DBOSClient(system_database_url=args.database_url)
        started = time.monotonic()
        for index in range(args.queue_workflows):
            options: EnqueueOptions = {
                "queue_name": name, "workflow_name": "dbos_py_bench_three_steps",
                "workflow_id": f"{name}-{index}", "app_version": version,
            }
            client.enqueue(options, index)
        seconds = time.monotonic() - started
        client.destroy()
        return seconds

    def report_drain(workload: str, statuses: list, enqueue_seconds: float) -> None:
        assert len(statuses) == args.queue_workflows and all(s.status == "SUCCESS" for s in statuses)
        first = min(s.dequeued_at or s.created_at for s in statuses)
        last = max(s.completed_at or s.updated_at for s in statuses)
        seconds = (last - first) / 1000
        print(json.dumps({"workload": workload, "implementation": "dbos-python-3.4.0",
                          "workflows": args.queue_workflows, "worker_concurrency": args.worker_concurrency,
                          "drain_seconds": round(seconds, 3), "workflows_per_s": round(args.queue_workflows / seconds, 1),
                          "enqueue_per_s": round(args.queue_workflows / enqueue_seconds, 1)}), flush=True)

    # The schema first (`dbos migrate`), so a client can enqueue before any worker runs.
    dbos_cli = os.path.join(os.path.dirname(sys.executable), "dbos")
    subprocess.run([dbos_cli, "migrate", "-s", args.database_url], check=True, stdout=subprocess.DEVNULL)

    if "queue-1-worker" in workloads:
        enqueue_seconds = fill(queue_name)

    DBOS(config=config)
    DBOS.launch()
    try:
        def measure(name: str, count: int, concurrency: int) -> None:
            if concurrency <= 1:
                started = time.monotonic()
                for index in range(count):
                    assert three_steps(index) == index + 6
            else:
                with ThreadPoolExecutor(max_workers=concurrency) as pool:
                    list(pool.map(lambda i: three_steps(-1 - i), range(args.warmup)))
                    started = time.monotonic()
                    results = list(pool.map(three_steps, range(count)))
                assert results == [index + 6 for index in range(count)]
            seconds = time.monotonic() - started
            print(json.dumps({"workload": name, "implementation": "dbos-python-3.4.0", "workflows": count,
                              "concurrency": concurrency, "seconds": round(seconds, 3),
                              "workflows_per_s": round(count / seconds, 1)}), flush=True)

        if "sequential" in workloads:
            measure("sequential", args.sequential_workflows, 1)
        if "concurrent" in workloads:
            measure("concurrent", args.concurrent_workflows, args.concurrency)
        if "queue-1-worker" in workloads:
            # Registering the queue starts this process's worker for it.
            DBOS.register_queue(queue_name, worker_concurrency=args.worker_concurrency, polling_interval_sec=0.1)
            handles = [DBOS.retrieve_workflow(f"{queue_name}-{index}") for index in range(args.queue_workflows)]
            for handle in handles:
                handle.get_result()
            report_drain("queue-1-worker", DBOS.list_workflows(queue_name=queue_name), enqueue_seconds)
    finally:
        DBOS.destroy()

    if "queue-3-workers" in workloads:
        enqueue3_seconds = fill(queue3_name)
        workers = [subprocess.Popen(
            [sys.executable, __file__, "--role", "worker", "--database-url", args.database_url, "--queue-name", queue3_name,
             "--executor-id", f"dbos-py-bench-{run}-{index}", "--app-version", version,
             "--worker-concurrency", str(args.worker_concurrency), "--concurrency", str(args.concurrency)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) for index in range(1, 4)]
        try:
            for worker in workers:
                assert worker.stdout is not None
                while (line := worker.stdout.readline()) and line.strip() != "ready":
                    pass   # anything DBOS prints before the worker is ready
                assert line, "a queue worker exited before it was ready"
            client = DBOSClient(system_database_url=args.database_url)
            while client.list_workflows(queue_name=queue3_name, status=["ENQUEUED", "PENDING"], limit=1):
                time.sleep(0.05)
            statuses = client.list_workflows(queue_name=queue3_name)
            client.destroy()
        finally:
            for worker in workers:
                if worker.stdin is not None:
                    worker.stdin.close()
            for worker in workers:
                worker.wait(timeout=60)
        report_drain("queue-3-workers", statuses, enqueue3_seconds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
