import Foundation

/// Aggregates for operators (metrics, the console): counts, never rows.
extension SQLSystemDatabase {
    func queueStatistics() async throws -> [QueueStatistics] {
        var byName: [String: QueueStatistics] = [:]
        func entry(_ name: String) -> QueueStatistics {
            byName[name] ?? QueueStatistics(name: name, enqueued: 0, running: 0, oldestEnqueuedAt: nil, limits: nil)
        }
        for row in try await driver.read("""
            SELECT queue_name, status, count(*) AS workflows, min(created_at) AS oldest FROM \(tables.status)
            WHERE \(Self.inFlight) AND queue_name IS NOT NULL
            GROUP BY queue_name, status
            """) {
            let name: String = try row.decode("queue_name")
            var statistics = entry(name)
            let count: Int = try row.decode("workflows")
            if try row.decode("status", as: String.self) == WorkflowState.enqueued.rawValue {
                statistics.enqueued = count
                statistics.oldestEnqueuedAt = try row.decode("oldest", as: Int64?.self).map(Date.init(epochMilliseconds:))
            } else {
                statistics.running = count
            }
            byName[name] = statistics
        }
        for row in try await driver.read("""
            SELECT name, concurrency, worker_concurrency, rate_limit_max, rate_limit_period_sec, priority_enabled,
                partition_queue FROM \(tables.queues)
            """) {
            let name: String = try row.decode("name")
            var statistics = entry(name)
            statistics.limits = QueueStatistics.Limits(
                concurrency: try row.decode("concurrency"), workerConcurrency: try row.decode("worker_concurrency"),
                rateLimitMax: try row.decode("rate_limit_max"), rateLimitPeriodSeconds: try row.decode("rate_limit_period_sec"),
                priorityEnabled: try row.decode("priority_enabled", as: Bool?.self) ?? false,
                partitioned: try row.decode("partition_queue", as: Bool?.self) ?? false)
            byName[name] = statistics
        }
        return byName.values.sorted { $0.name < $1.name }
    }

    func workflowCounts() async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for row in try await driver.read("SELECT status, count(*) AS workflows FROM \(tables.status) GROUP BY status") {
            counts[try row.decode("status", as: String?.self) ?? "", default: 0] += try row.decode("workflows")
        }
        return counts
    }
}
