import DBOS
import Foundation
import Logging
import PostgresNIO
import SQLiteNIO

/// `large-history`: whether throughput holds once the system database is big. The concurrent
/// and queue-1-worker measurements run on the database as it is (empty at first; after an
/// untimed warm-up round of the same), then
/// `--history` finished workflows (SUCCESS, with three step rows each, created over the past
/// 30 days and spread over ten queues and none) are inserted in bulk, vacuumed, analyzed and
/// checkpointed, and the same measurements run again. `ratio_*` is the large database's rate over the empty one's.
enum LargeHistoryBench {
    struct Settings {
        let history: Int
        let concurrent: WorkloadSpec
        let warmup: Int
        let queue: QueueSettings
        let poolSize: Int
    }

    static func measure(target: BenchTarget, settings: Settings, logger: Logger) async throws -> LargeHistoryResult {
        // The first round warms the server and this process (plans, caches, pools) and is not
        // counted: measured first, the empty database would look slower than it is.
        _ = try await rates(target: target, settings: settings, logger: logger)
        let empty = try await rates(target: target, settings: settings, logger: logger)
        let clock = ContinuousClock()
        let fillStarted = clock.now
        try await HistoryFiller.fill(target, workflows: settings.history, logger: logger)
        let fillSeconds = fillStarted.duration(to: clock.now).seconds
        let large = try await rates(target: target, settings: settings, logger: logger)
        return LargeHistoryResult(backend: target.backend, history: settings.history, fillSeconds: fillSeconds,
                                  empty: empty, large: large, load: loadAverage())
    }

    /// Concurrent and queue drain rates, in workflows per second.
    private static func rates(target: BenchTarget, settings: Settings, logger: Logger) async throws -> (concurrent: Double, queue: Double) {
        let dbos = try await WorkflowBench.launch(url: target.url, poolSize: settings.poolSize, logger: logger)
        let concurrent: Measurement
        do {
            concurrent = try await WorkflowBench.measure(settings.concurrent, on: dbos, warmup: settings.warmup)
        } catch {
            await dbos.shutdown()
            throw error
        }
        await dbos.shutdown()
        let queue = try await QueueBench.measure(workload: "large-history-queue", target: target, settings: settings.queue, logger: logger)
        return (concurrent.perSecond, queue.workflowsPerSecond)
    }
}

/// Bulk-inserts finished workflows and their steps, in one statement per table (chunked),
/// with the database's own row generator, then analyzes the tables.
enum HistoryFiller {
    static let chunk = 200_000

    static func fill(_ target: BenchTarget, workflows: Int, logger: Logger) async throws {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        switch target.location {
        case .postgres(let location):
            let store = try await PostgresBaseline.open(location, poolSize: 1, logger: logger)
            do {
                for start in stride(from: 0, to: workflows, by: chunk) {
                    let end = min(start + chunk, workflows)
                    try await store.execute(statusInsert(prefix: "dbos.", series: "generate_series(\(start + 1), \(end)) AS g(n)", now: now))
                    try await store.execute(stepsInsert(prefix: "dbos.", series: "generate_series(\(start + 1), \(end)) AS g(n)",
                                                        steps: "generate_series(1, 3) AS f(id)", now: now))
                }
                // A database that grew over months is vacuumed and checkpointed: settle the bulk
                // insert's aftermath now rather than let autovacuum and a checkpoint run during
                // the measurement (CHECKPOINT needs a privileged role; without it, it is skipped).
                try await store.execute("VACUUM (ANALYZE) dbos.workflow_status")
                try await store.execute("VACUUM (ANALYZE) dbos.operation_outputs")
                try? await store.execute("CHECKPOINT")
            } catch {
                await store.close()
                throw error
            }
            await store.close()
        case .sqlite(let path):
            let connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
            do {
                _ = try await connection.query("PRAGMA busy_timeout = 60000")
                for start in stride(from: 0, to: workflows, by: chunk) {
                    let end = min(start + chunk, workflows)
                    let series = "(WITH RECURSIVE s(n) AS (SELECT \(start + 1) UNION ALL SELECT n + 1 FROM s WHERE n < \(end)) SELECT n FROM s) AS g"
                    _ = try await connection.query("BEGIN IMMEDIATE")
                    _ = try await connection.query(statusInsert(prefix: "", series: series, now: now))
                    _ = try await connection.query(stepsInsert(prefix: "", series: series,
                                                               steps: "(SELECT 1 AS id UNION ALL SELECT 2 UNION ALL SELECT 3) AS f", now: now))
                    _ = try await connection.query("COMMIT")
                }
                _ = try await connection.query("ANALYZE")
                _ = try await connection.query("PRAGMA wal_checkpoint(TRUNCATE)")
            } catch {
                try? await connection.close()
                throw error
            }
            try await connection.close()
        }
    }

    /// Finished workflows `history-N`, created over the 30 days before `now` (2.592 s apart).
    private static func statusInsert(prefix: String, series: String, now: Int64) -> String {
        let created = "(\(now) - 2592000000 + (CAST(g.n AS BIGINT) * 2592) % 2592000000)"
        return """
        INSERT INTO \(prefix)workflow_status (workflow_uuid, status, name, queue_name, executor_id, application_version,
            created_at, updated_at, started_at_epoch_ms, completed_at, recovery_attempts, output, serialization)
        SELECT 'history-' || g.n, 'SUCCESS', 'dbos_bench_three_steps',
            CASE WHEN g.n % 11 = 0 THEN NULL ELSE 'history_queue_' || (g.n % 10) END, 'history-executor', 'history',
            \(created), \(created) + 50, \(created), \(created) + 50, 1, '6', 'portable_json'
        FROM \(series)
        """
    }

    private static func stepsInsert(prefix: String, series: String, steps: String, now: Int64) -> String {
        """
        INSERT INTO \(prefix)operation_outputs (workflow_uuid, function_id, function_name, output, started_at_epoch_ms, completed_at_epoch_ms, serialization)
        SELECT 'history-' || g.n, f.id, 's' || f.id, '1', \(now) - 2592000000, \(now) - 2592000000 + 1, 'portable_json'
        FROM \(series), \(steps)
        """
    }
}

/// The `large-history` numbers.
struct LargeHistoryResult: BenchReport {
    var workload: String { "large-history" }
    let backend: String
    let history: Int
    let fillSeconds: Double
    let empty: (concurrent: Double, queue: Double)
    let large: (concurrent: Double, queue: Double)
    let load: Double?

    var fields: [(String, JSONField)] {
        [
            ("workload", .string(workload)),
            ("backend", .string(backend)),
            ("workflows", .int(history)),
            ("concurrency", .null),
            ("seconds", .double(rounded(fillSeconds, 1))),
            ("workflows_per_s", .double(rounded(large.concurrent, 1))),
            ("p50_ms", .null),
            ("p99_ms", .null),
            ("baseline_commits_per_s", .null),
            ("ratio_to_baseline", .null),
            ("history_workflows", .int(history)),
            ("fill_seconds", .double(rounded(fillSeconds, 1))),
            ("concurrent_empty_per_s", .double(rounded(empty.concurrent, 1))),
            ("concurrent_large_per_s", .double(rounded(large.concurrent, 1))),
            ("ratio_concurrent", .double(rounded(large.concurrent / empty.concurrent, 3))),
            ("queue_empty_per_s", .double(rounded(empty.queue, 1))),
            ("queue_large_per_s", .double(rounded(large.queue, 1))),
            ("ratio_queue", .double(rounded(large.queue / empty.queue, 3))),
            ("load_1m", load.map(JSONField.double) ?? .null),
        ]
    }
}
