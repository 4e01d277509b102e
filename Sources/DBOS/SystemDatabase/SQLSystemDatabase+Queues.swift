import Foundation

/// Durable queues on `workflow_status`: claiming, delayed work, timeouts.
extension SQLSystemDatabase {
    private var status: String { driver.dialect.table("workflow_status") }
    private var inputs: String { driver.dialect.table("workflow_input") }
    private var operations: String { driver.dialect.table("operation_outputs") }

    private var newOwnerExpression: String {
        driver.dialect.isPostgres ? "gen_random_uuid()::text" : "lower(hex(randomblob(16)))"
    }

    /// Claims up to `limit` ENQUEUED workflows of `queue` for this executor, honouring global
    /// concurrency and the rate limit, in priority then FIFO order.
    func claimQueued(_ queue: QueueClaim) async throws -> [ClaimedWorkflow] {
        guard queue.limit > 0 else { return [] }
        let isPostgres = driver.dialect.isPostgres
        return try await driver.transaction { executor in
            let now = Clock.nowMillis()
            if isPostgres, queue.concurrency != nil || queue.rateLimit != nil {
                // Dequeuers of one queue take turns, so global limits hold across processes.
                _ = try await executor.execute(SQLStatement("SELECT pg_advisory_xact_lock(hashtext($1))", [.text(queue.name)]))
            }
            var available = queue.limit
            if let concurrency = queue.concurrency {
                let running = try await executor.execute(SQLStatement(
                    "SELECT count(*) AS n FROM \(self.status) WHERE queue_name = $1 AND status = 'PENDING'", [.text(queue.name)]))
                available = min(available, concurrency - Int(running.first?.int("n") ?? 0))
            }
            if let rateLimit = queue.rateLimit {
                let since = now - Int64(rateLimit.period.seconds * 1000)
                let started = try await executor.execute(SQLStatement(
                    "SELECT count(*) AS n FROM \(self.status) WHERE queue_name = $1 AND rate_limited = $2 AND started_at_epoch_ms > $3",
                    [.text(queue.name), .bool(true), .int(since)]))
                available = min(available, rateLimit.limit - Int(started.first?.int("n") ?? 0))
            }
            guard available > 0 else { return [] }
            guard !queue.workflowNames.isEmpty else { return [] }
            let order = queue.priorityEnabled ? "priority ASC, created_at ASC" : "created_at ASC"
            let lock = isPostgres ? " FOR UPDATE SKIP LOCKED" : ""
            // Only workflows this process can run: registered names, portable payloads.
            let names = queue.workflowNames.indices.map { "$\($0 + 5)" }.joined(separator: ", ")
            let candidates = try await executor.execute(SQLStatement("""
                SELECT workflow_uuid FROM \(self.status)
                WHERE queue_name = $1 AND status = 'ENQUEUED' AND (application_version IS NULL OR application_version = $2)
                  AND (serialization IS NULL OR serialization = $4) AND name IN (\(names))
                ORDER BY \(order) LIMIT $3\(lock)
                """, [.text(queue.name), .text(queue.applicationVersion), .int(Int64(available)), .text(PortableJSON.formatName)]
                    + queue.workflowNames.map { .text($0) }))
            let ids = candidates.compactMap { $0.string("workflow_uuid") }
            guard !ids.isEmpty else { return [] }
            let placeholders = ids.indices.map { "$\($0 + 6)" }.joined(separator: ", ")
            let rows = try await executor.execute(SQLStatement("""
                UPDATE \(self.status) SET status = 'PENDING', executor_id = $1, application_version = $2,
                    started_at_epoch_ms = $3, updated_at = $3, recovery_attempts = recovery_attempts + 1,
                    owner_xid = \(self.newOwnerExpression), rate_limited = $4,
                    workflow_deadline_epoch_ms = CASE WHEN workflow_timeout_ms IS NOT NULL AND workflow_deadline_epoch_ms IS NULL
                        THEN $3 + workflow_timeout_ms ELSE workflow_deadline_epoch_ms END
                WHERE status = 'ENQUEUED' AND queue_name = $5 AND workflow_uuid IN (\(placeholders))
                RETURNING workflow_uuid, name, owner_xid, serialization, workflow_deadline_epoch_ms,
                    EXISTS (SELECT 1 FROM \(self.operations) o WHERE o.workflow_uuid = \(self.status).workflow_uuid) AS has_steps,
                    (SELECT inputs FROM \(self.inputs) i WHERE i.workflow_uuid = \(self.status).workflow_uuid) AS inputs
                """, [.text(queue.executorID), .text(queue.applicationVersion), .int(now), .bool(queue.rateLimit != nil),
                      .text(queue.name)] + ids.map { .text($0) }))
            return rows.map { row in
                ClaimedWorkflow(workflowID: row.string("workflow_uuid") ?? "", name: row.string("name") ?? "",
                                ownerXID: row.string("owner_xid") ?? "", inputs: row.string("inputs"),
                                serialization: row.string("serialization"), hasSteps: row.bool("has_steps") ?? true,
                                deadlineEpochMilliseconds: row.int("workflow_deadline_epoch_ms"))
            }
        }
    }

    /// DELAYED workflows whose time has come become ENQUEUED. Returns their queues.
    func releaseDelayed() async throws -> [String] {
        try await driver.write(SQLStatement("""
            UPDATE \(status) SET status = 'ENQUEUED', updated_at = $1
            WHERE status = 'DELAYED' AND delay_until_epoch_ms <= $1 RETURNING queue_name
            """, [.int(Clock.nowMillis())])).compactMap { $0.string("queue_name") }
    }

    /// Cancels active workflows whose deadline has passed. Returns their IDs.
    func cancelTimedOut() async throws -> [String] {
        try await driver.write(SQLStatement("""
            UPDATE \(status) SET status = 'CANCELLED', owner_xid = NULL, deduplication_id = NULL, updated_at = $1
            WHERE status IN ('PENDING', 'ENQUEUED', 'DELAYED') AND workflow_deadline_epoch_ms IS NOT NULL
              AND workflow_deadline_epoch_ms < $1
            RETURNING workflow_uuid
            """, [.int(Clock.nowMillis())])).compactMap { $0.string("workflow_uuid") }
    }

    /// Which of these workflows are no longer PENDING under the given owners (cancelled or taken over).
    func lostOwnership(_ owned: [(workflowID: String, ownerXID: String)]) async throws -> [String] {
        guard !owned.isEmpty else { return [] }
        let placeholders = owned.indices.map { "$\($0 + 1)" }.joined(separator: ", ")
        let rows = try await driver.read(SQLStatement(
            "SELECT workflow_uuid, owner_xid, status FROM \(status) WHERE workflow_uuid IN (\(placeholders))",
            owned.map { .text($0.workflowID) }))
        let current = Dictionary(rows.map { ($0.string("workflow_uuid") ?? "", ($0.string("owner_xid"), $0.string("status"))) },
                                 uniquingKeysWith: { first, _ in first })
        return owned.filter { entry in
            guard let (owner, status) = current[entry.workflowID] else { return true }
            return status != WorkflowState.pending.rawValue || owner != entry.ownerXID
        }.map(\.workflowID)
    }

    /// Puts PENDING workflows of this executor that belong to a queue back on it (recovery of
    /// queued work: the queue's limits apply again). Returns how many.
    func requeuePending(executorID: String, applicationVersion: String) async throws -> Int {
        try await driver.write(SQLStatement("""
            UPDATE \(status) SET status = 'ENQUEUED', owner_xid = NULL, started_at_epoch_ms = NULL, updated_at = $3
            WHERE status = 'PENDING' AND executor_id = $1 AND application_version = $2 AND queue_name IS NOT NULL
            RETURNING workflow_uuid
            """, [.text(executorID), .text(applicationVersion), .int(Clock.nowMillis())])).count
    }

    /// Records a queue's settings in the `queues` table.
    func upsertQueue(_ queue: QueueDefinition) async throws {
        let now = Clock.nowMillis()
        _ = try await driver.write(SQLStatement("""
            INSERT INTO \(driver.dialect.table("queues")) (queue_id, name, concurrency, worker_concurrency, rate_limit_max,
                rate_limit_period_sec, priority_enabled, partition_queue, polling_interval_sec, created_at, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
            ON CONFLICT (name) DO UPDATE SET concurrency = excluded.concurrency, worker_concurrency = excluded.worker_concurrency,
                rate_limit_max = excluded.rate_limit_max, rate_limit_period_sec = excluded.rate_limit_period_sec,
                priority_enabled = excluded.priority_enabled, partition_queue = excluded.partition_queue,
                polling_interval_sec = excluded.polling_interval_sec, updated_at = excluded.updated_at
            """, [.text(UUID().uuidString.lowercased()), .text(queue.name), SQLValue(queue.concurrency), SQLValue(queue.workerConcurrency),
                  SQLValue(queue.rateLimit?.limit), queue.rateLimit.map { .double($0.period.seconds) } ?? .null,
                  .bool(queue.priorityEnabled), .bool(queue.partitioned), .double(queue.pollingInterval.seconds), .int(now)]))
    }
}

/// What one dispatcher asks for when claiming.
struct QueueClaim: Sendable {
    var name: String
    var executorID: String
    var applicationVersion: String
    var limit: Int
    var concurrency: Int?
    var rateLimit: RateLimit?
    var priorityEnabled: Bool
    /// The workflow names this process can run.
    var workflowNames: [String]
}

/// A workflow this process has just claimed from a queue.
struct ClaimedWorkflow: Sendable {
    var workflowID: String
    var name: String
    var ownerXID: String
    var inputs: String?
    var serialization: String?
    var hasSteps: Bool
    var deadlineEpochMilliseconds: Int64?
}
