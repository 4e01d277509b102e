#!/usr/bin/env python3
"""DBOS Transact Python 3.4.0 on the workloads of `dbos-bench`, for ratios measured in one run.

    dbos_python_bench.py --database-url postgresql://... [--workloads sequential,concurrent,queue-1-worker]

The same workflow as `dbos-bench` (three no-op steps: 5 commits), the same counts and
concurrency, and the same metrics:

- sequential: 500 workflows one at a time; concurrent: 2000 with 64 in flight (64 threads,
  after 64 untimed warm-up workflows). `workflows_per_s` = workflows / wall time.
- queue-1-worker: 1000 workflows enqueued with no worker, then one worker (worker concurrency
  16, polling 100 ms) drains them. `workflows_per_s` = workflows / drain time, from the first
  dequeue to the last completion (stored `started_at_epoch_ms` and `completed_at`).

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
    parser.add_argument("--worker-concurrency", type=int, default=16)
    args = parser.parse_args()
    logging.disable(logging.WARNING)

    from dbos import DBOS, DBOSClient, DBOSConfig, EnqueueOptions

    run = uuid.uuid4().hex[:8]
    queue_name = f"dbos_py_bench_queue_{run}"

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
    version = f"dbos-py-bench-{run}"
    config: DBOSConfig = {
        "name": f"dbos-py-bench-{run}",
        "system_database_url": args.database_url,
        "sys_db_pool_size": args.concurrency,
        "application_version": version,
        "executor_id": f"dbos-py-bench-{run}",
        "max_executor_threads": args.concurrency + 16,
    }

    # The schema first (`dbos migrate`), so a client can enqueue before any worker runs.
    dbos_cli = os.path.join(os.path.dirname(sys.executable), "dbos")
    subprocess.run([dbos_cli, "migrate", "-s", args.database_url], check=True, stdout=subprocess.DEVNULL)

    if "queue-1-worker" in workloads:
        # Enqueue with a client first, so the queue fills with no worker running.
        client = DBOSClient(system_database_url=args.database_url)
        started = time.monotonic()
        for index in range(args.queue_workflows):
            options: EnqueueOptions = {
                "queue_name": queue_name, "workflow_name": "dbos_py_bench_three_steps",
                "workflow_id": f"{queue_name}-{index}", "app_version": version,
            }
            client.enqueue(options, index)
        enqueue_seconds = time.monotonic() - started
        client.destroy()

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
            statuses = DBOS.list_workflows(queue_name=queue_name)
            first = min(s.dequeued_at or s.created_at for s in statuses)
            last = max(s.completed_at or s.updated_at for s in statuses)
            seconds = (last - first) / 1000
            print(json.dumps({"workload": "queue-1-worker", "implementation": "dbos-python-3.4.0",
                              "workflows": args.queue_workflows, "worker_concurrency": args.worker_concurrency,
                              "drain_seconds": round(seconds, 3), "workflows_per_s": round(args.queue_workflows / seconds, 1),
                              "enqueue_per_s": round(args.queue_workflows / enqueue_seconds, 1)}), flush=True)
    finally:
        DBOS.destroy()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
