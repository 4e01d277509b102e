import DBOS
import Foundation
import PostgresNIO

/// Settings of the queue workloads.
struct QueueSettings {
    var workflows: Int
    var workers: Int
    var workerConcurrency: Int
    var pollingInterval: Duration
    var enqueueConcurrency: Int
    var poolSize: Int
    var timeout: Duration
}

/// The queue workloads' numbers.
struct QueueResult: BenchReport {
    let workload: String
    let backend: String
    let settings: QueueSettings
    /// First dequeue to last completion, from the workflows' stored timestamps.
    let drainSeconds: Double
    /// Worker processes started to all SUCCESS seen by polling (includes process start-up).
    let wallSeconds: Double
    let enqueueSeconds: Double
    /// Each workflow's start to completion, in ms, sorted.
    let runMilliseconds: [Int]
    let perWorker: [Int]
    let load: Double?

    private func percentile(_ fraction: Double) -> Double {
        guard !runMilliseconds.isEmpty else { return 0 }
        let rank = Int((fraction * Double(runMilliseconds.count)).rounded(.up))
        return Double(runMilliseconds[min(max(rank, 1), runMilliseconds.count) - 1])
    }

    /// Workflows per second of the drain.
    var workflowsPerSecond: Double { Double(settings.workflows) / drainSeconds }

    var fields: [(String, JSONField)] {
        let perSecond = workflowsPerSecond
        return [
            ("workload", .string(workload)),
            ("backend", .string(backend)),
            ("workflows", .int(settings.workflows)),
            ("concurrency", .int(settings.workers * settings.workerConcurrency)),
            ("seconds", .double(rounded(drainSeconds, 3))),
            ("workflows_per_s", .double(rounded(perSecond, 1))),
            ("p50_ms", .double(percentile(0.50))),
            ("p99_ms", .double(percentile(0.99))),
            ("baseline_commits_per_s", .null),
            ("ratio_to_baseline", .null),
            ("workers", .int(settings.workers)),
            ("worker_concurrency", .int(settings.workerConcurrency)),
            ("polling_ms", .int(Int(settings.pollingInterval.seconds * 1000))),
            ("per_worker", .ints(perWorker)),
            ("wall_seconds", .double(rounded(wallSeconds, 3))),
            ("wall_workflows_per_s", .double(rounded(Double(settings.workflows) / wallSeconds, 1))),
            ("enqueue_seconds", .double(rounded(enqueueSeconds, 3))),
            ("enqueue_per_s", .double(rounded(Double(settings.workflows) / enqueueSeconds, 1))),
            ("load_1m", load.map(JSONField.double) ?? .null),
        ]
    }
}

/// Enqueue N 3-step workflows with no worker running, then start `workers` worker processes
/// (`dbos-bench --role queue-worker`, each its own executor ID and runtime) and wait until all
/// are SUCCESS (polling the status table every 50 ms).
///
/// `workflows_per_s` = N / drain time, where the drain time runs from the first workflow's
/// dequeue to the last one's completion (stored `started_at_epoch_ms` and `completed_at`), so
/// process start-up is excluded; `wall_seconds` includes it. `p50_ms`/`p99_ms` are each
/// workflow's dequeue-to-completion time (ms resolution).
enum QueueBench {
    static func measure(workload: String, target: BenchTarget, settings: QueueSettings, logger: Logger) async throws -> QueueResult {
        let run = UUID().uuidString.prefix(8).lowercased()
        let queueName = "dbos_bench_queue_\(run)"
        let version = "dbos-bench-\(run)"
        let queue = Queue(queueName, workerConcurrency: settings.workerConcurrency, pollingInterval: settings.pollingInterval)

        // Enqueue everything through a runtime that does not serve the queue.
        let enqueuer = try DBOS(config: DBOSConfig(
            name: "dbos-bench-enqueuer", systemDatabaseURL: target.url, executorID: "dbos-bench-enqueuer-\(run)",
            applicationVersion: version, maxPostgresConnections: settings.poolSize, logger: logger))
        let enqueued: Measurement
        do {
            try enqueuer.register(WorkflowBench.threeSteps)
            try await enqueuer.launch()
            enqueued = try await Measurement.run(count: settings.workflows, concurrency: settings.enqueueConcurrency, warmup: 0) { index in
                _ = try await enqueuer.enqueue(WorkflowBench.threeSteps, index, on: queue,
                                               options: EnqueueOptions(workflowID: "\(queueName)-\(index)"))
            }
        } catch {
            await enqueuer.shutdown()
            throw error
        }
        await enqueuer.shutdown()

        let client = try await DBOSClient(databaseURL: target.url, logger: logger)
        var workers: [ChildProcess] = []
        do {
            let clock = ContinuousClock()
            let started = clock.now
            for index in 1...settings.workers {
                workers.append(try ChildProcess(name: "queue worker \(index)", arguments: [
                    "--role", "queue-worker", "--database-url", target.url, "--queue-name", queueName,
                    "--executor-id", "dbos-bench-worker-\(run)-\(index)", "--app-version", version,
                    "--worker-concurrency", String(settings.workerConcurrency),
                    "--queue-polling-ms", String(Int(settings.pollingInterval.seconds * 1000)),
                    "--pool-size", String(settings.poolSize),
                ]))
            }
            for worker in workers { try await worker.expect("ready") }
            // Polls only the queue's unfinished workflows (the queue's partial index), so the poll
            // costs the database little however much history the table holds.
            let unfinished = ListWorkflowsFilter(status: [.enqueued, .pending], queueName: queueName, limit: 1, loadPayloads: false)
            while try await !client.listWorkflows(unfinished).isEmpty {
                if clock.now - started > settings.timeout {
                    throw BenchFailure("not all of \(settings.workflows) workflows finished within \(settings.timeout)")
                }
                if let dead = workers.first(where: { !$0.isRunning }) {
                    throw BenchFailure("\(dead.name) exited during the drain")
                }
                try await Task.sleep(for: .milliseconds(50))
            }
            let wall = started.duration(to: clock.now)
            for worker in workers { try await worker.stop() }
            workers.removeAll()
            let statuses = try await client.listWorkflows(ListWorkflowsFilter(queueName: queueName, loadPayloads: false))
            await client.close()
            if let failed = statuses.first(where: { $0.state != .success }) {
                throw BenchFailure("workflow \(failed.workflowID) ended \(failed.state)")
            }
            guard statuses.count == settings.workflows else {
                throw BenchFailure("\(statuses.count) of \(settings.workflows) workflows found on the queue")
            }

            let starts = statuses.compactMap(\.startedAt)
            let ends = statuses.compactMap(\.completedAt)
            guard starts.count == settings.workflows, ends.count == settings.workflows,
                  let first = starts.min(), let last = ends.max() else {
                throw BenchFailure("workflows without start or completion times")
            }
            let runs = statuses.compactMap { status -> Int? in
                guard let start = status.startedAt, let end = status.completedAt else { return nil }
                return Int((end.timeIntervalSince(start) * 1000).rounded())
            }
            var perWorker: [String: Int] = [:]
            for status in statuses { perWorker[status.executorID ?? "", default: 0] += 1 }
            let counts = (1...settings.workers).map { perWorker["dbos-bench-worker-\(run)-\($0)"] ?? 0 }
            return QueueResult(
                workload: workload, backend: target.backend, settings: settings,
                drainSeconds: last.timeIntervalSince(first), wallSeconds: wall.seconds, enqueueSeconds: enqueued.elapsed.seconds,
                runMilliseconds: runs.sorted(), perWorker: counts, load: loadAverage())
        } catch {
            for worker in workers { worker.kill() }
            await client.close()
            throw error
        }
    }

    /// The worker's side: serves the queue until its input ends.
    static func serve(databaseURL: String, queueName: String, executorID: String, applicationVersion: String,
                      workerConcurrency: Int, pollingInterval: Duration, poolSize: Int, logger: Logger) async throws {
        let dbos = try DBOS(config: DBOSConfig(
            name: "dbos-bench-worker", systemDatabaseURL: databaseURL, executorID: executorID,
            applicationVersion: applicationVersion, maxPostgresConnections: poolSize, logger: logger))
        do {
            try dbos.register(WorkflowBench.threeSteps)
            try dbos.register(queues: Queue(queueName, workerConcurrency: workerConcurrency, pollingInterval: pollingInterval))
            try await dbos.launch()
        } catch {
            await dbos.shutdown()
            throw error
        }
        let commands = standardInputLines()
        emit("ready")
        while await commands.next() != nil {}
        await dbos.shutdown()
    }
}
