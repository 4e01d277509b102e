import Foundation

/// Durable queues on `workflow_status`: claiming, delayed work, timeouts.
extension SQLSystemDatabase {
    private var status: String { driver.dialect.table("workflow_status") }
    private var inputs: String { driver.dialect.table("workflow_input") }
    private var operations: String { driver.dialect.table("operation_outputs") }

    private var newOwnerExpression: String {
        driver.dialect.isPostgres ? "gen_random_uuid()::text" : "lower(hex(randomblob(16)))"
    }

    /// Claims up to `limit` ENQUEUED workflows of `queue` (of one partition when
    /// `partitionKey` is set) for this executor, honouring global and per-partition concurrency
    /// and rate limits, in priority then FIFO order.
    func claimQueued(_ queue: QueueClaim) async throws -> [ClaimedWorkflow] {
        guard queue.limit > 0, !queue.workflowNames.isEmpty else { return [] }
        let isPostgres = driver.dialect.isPostgres
        let definition = queue.definition
        if !isPostgres {
            // SQLite has one writer at a time: look (on the reader) before taking the write lock,
            // since dispatchers wake at every commit of another process.
            let waiting = try await driver.read(SQLStatement(
                "SELECT 1 AS found FROM \(status) WHERE queue_name = $1 AND status = 'ENQUEUED' LIMIT 1", [.text(definition.name)]))
            guard !waiting.isEmpty else { return [] }
        }
        return try await driver.transaction { executor in
            if isPostgres, definition.hasSharedBudget {
                // Dequeuers of one queue take turns, so global limits hold across processes.
                _ = try await executor.execute(SQLStatement("SELECT pg_advisory_xact_lock(hashtext($1))", [.text(definition.name)]))
            }
            // Read the clock once it is our turn: start times then follow the claim order.
            let now = Clock.nowMillis()
            // Counts rows of this queue (and of this partition when `partitioned`) matching `condition`.
            func count(_ condition: String, _ binds: [SQLValue], partitioned: Bool) async throws -> Int {
                var sql = "SELECT count(*) AS n FROM \(self.status) WHERE queue_name = $1 AND \(condition)"
                var values: [SQLValue] = [.text(definition.name)] + binds
                if partitioned {
                    values.append(SQLValue(queue.partitionKey))
                    sql += " AND queue_partition_key = $\(values.count)"
                }
                return Int(try await executor.execute(SQLStatement(sql, values)).first?.int("n") ?? 0)
            }
            func rateLimitRemaining(_ limit: RateLimit, partitioned: Bool) async throws -> Int {
                let since = now - Int64(limit.period.seconds * 1000)
                return limit.limit - (try await count("rate_limited = $2 AND started_at_epoch_ms > $3", [.bool(true), .int(since)],
                                                      partitioned: partitioned))
            }
            var available = queue.limit
            if let concurrency = definition.concurrency {
                available = min(available, concurrency - (try await count("status = 'PENDING'", [], partitioned: false)))
            }
            if available > 0, let rateLimit = definition.rateLimit {
                available = min(available, try await rateLimitRemaining(rateLimit, partitioned: false))
            }
            if queue.partitionKey != nil {
                if available > 0, let concurrency = definition.partitionConcurrency {
                    available = min(available, concurrency - (try await count("status = 'PENDING'", [], partitioned: true)))
                }
                if available > 0, let rateLimit = definition.partitionRateLimit {
                    available = min(available, try await rateLimitRemaining(rateLimit, partitioned: true))
                }
            }
            guard available > 0 else { return [] }
            let order = definition.priorityEnabled ? "priority ASC, created_at ASC" : "created_at ASC"
            let lock = isPostgres ? " FOR UPDATE SKIP LOCKED" : ""
            // Only workflows this process can run: registered names, portable payloads.
            var binds: [SQLValue] = [.text(definition.name), .text(queue.applicationVersion), .int(Int64(available)),
                                     .text(PortableJSON.formatName)]
            var partitionFilter = ""
            if let key = queue.partitionKey {
                binds.append(.text(key))
                partitionFilter = " AND queue_partition_key = $\(binds.count)"
            }
            let names = queue.workflowNames.indices.map { "$\($0 + binds.count + 1)" }.joined(separator: ", ")
            binds += queue.workflowNames.map { .text($0) }
            let candidates = try await executor.execute(SQLStatement("""
                SELECT workflow_uuid FROM \(self.status)
                WHERE queue_name = $1 AND status = 'ENQUEUED' AND (application_version IS NULL OR application_version = $2)
                  AND (serialization IS NULL OR serialization = $4) AND name IN (\(names))\(partitionFilter)
                ORDER BY \(order) LIMIT $3\(lock)
                """, binds))
            let ids = candidates.compactMap { $0.string("workflow_uuid") }
            guard !ids.isEmpty else { return [] }
            let placeholders = ids.indices.map { "$\($0 + 6)" }.joined(separator: ", ")
            let rateLimited = definition.rateLimit != nil || definition.partitionRateLimit != nil
            let rows = try await executor.execute(SQLStatement("""
                UPDATE \(self.status) SET status = 'PENDING', executor_id = $1, application_version = $2,
                    started_at_epoch_ms = $3, updated_at = $3, recovery_attempts = recovery_attempts + 1,
                    owner_xid = \(self.newOwnerExpression), rate_limited = $4,
                    workflow_deadline_epoch_ms = CASE WHEN workflow_timeout_ms IS NOT NULL AND workflow_deadline_epoch_ms IS NULL
                        THEN $3 + workflow_timeout_ms ELSE workflow_deadline_epoch_ms END
                WHERE status = 'ENQUEUED' AND queue_name = $5 AND workflow_uuid IN (\(placeholders))
                RETURNING workflow_uuid, name, owner_xid, serialization, workflow_deadline_epoch_ms, queue_partition_key,
                    EXISTS (SELECT 1 FROM \(self.operations) o WHERE o.workflow_uuid = \(self.status).workflow_uuid) AS has_steps,
                    (SELECT inputs FROM \(self.inputs) i WHERE i.workflow_uuid = \(self.status).workflow_uuid) AS inputs
                """, [.text(queue.executorID), .text(queue.applicationVersion), .int(now), .bool(rateLimited),
                      .text(definition.name)] + ids.map { .text($0) }))
            return rows.map { row in
                ClaimedWorkflow(workflowID: row.string("workflow_uuid") ?? "", name: row.string("name") ?? "",
                                ownerXID: row.string("owner_xid") ?? "", inputs: row.string("inputs"),
                                serialization: row.string("serialization"), hasSteps: row.bool("has_steps") ?? true,
                                deadlineEpochMilliseconds: row.int("workflow_deadline_epoch_ms"),
                                partitionKey: row.string("queue_partition_key"))
            }
        }
    }

    /// The distinct partition keys of a queue's ENQUEUED workflows this process could run.
    func queuePartitions(queue: String, applicationVersion: String, workflowNames: [String]) async throws -> [String] {
        guard !workflowNames.isEmpty else { return [] }
        let names = workflowNames.indices.map { "$\($0 + 3)" }.joined(separator: ", ")
        return try await driver.read(SQLStatement("""
            SELECT DISTINCT queue_partition_key FROM \(status)
            WHERE queue_name = $1 AND status = 'ENQUEUED' AND queue_partition_key IS NOT NULL
              AND (application_version IS NULL OR application_version = $2) AND name IN (\(names))
            """, [.text(queue), .text(applicationVersion)] + workflowNames.map { .text($0) }))
            .compactMap { $0.string("queue_partition_key") }
    }

    func activeWorkflowID(queue: String, deduplicationID: String) async throws -> String? {
        try await driver.read(SQLStatement("""
            SELECT workflow_uuid FROM \(status) WHERE queue_name = $1 AND deduplication_id = $2
              AND status IN ('ENQUEUED', 'DELAYED', 'PENDING')
            """, [.text(queue), .text(deduplicationID)])).first?.string("workflow_uuid")
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
                rate_limit_period_sec, priority_enabled, partition_queue, polling_interval_sec, created_at, updated_at,
                partition_concurrency, partition_worker_concurrency, partition_rate_limit_max, partition_rate_limit_period_sec)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11, $12, $13, $14)
            ON CONFLICT (name) DO UPDATE SET concurrency = excluded.concurrency, worker_concurrency = excluded.worker_concurrency,
                rate_limit_max = excluded.rate_limit_max, rate_limit_period_sec = excluded.rate_limit_period_sec,
                priority_enabled = excluded.priority_enabled, partition_queue = excluded.partition_queue,
                polling_interval_sec = excluded.polling_interval_sec, updated_at = excluded.updated_at,
                partition_concurrency = excluded.partition_concurrency,
                partition_worker_concurrency = excluded.partition_worker_concurrency,
                partition_rate_limit_max = excluded.partition_rate_limit_max,
                partition_rate_limit_period_sec = excluded.partition_rate_limit_period_sec
            """, [.text(UUID().uuidString.lowercased()), .text(queue.name), SQLValue(queue.concurrency), SQLValue(queue.workerConcurrency),
                  SQLValue(queue.rateLimit?.limit), queue.rateLimit.map { .double($0.period.seconds) } ?? .null,
                  .bool(queue.priorityEnabled), .bool(queue.isPartitioned), .double(queue.pollingInterval.seconds), .int(now),
                  SQLValue(queue.partitionConcurrency), SQLValue(queue.partitionWorkerConcurrency),
                  SQLValue(queue.partitionRateLimit?.limit), queue.partitionRateLimit.map { .double($0.period.seconds) } ?? .null]))
    }
}

/// What one dispatcher asks for when claiming.
struct QueueClaim: Sendable {
    var definition: QueueDefinition
    var executorID: String
    var applicationVersion: String
    /// Most workflows to claim (the free local slots).
    var limit: Int
    /// The workflow names this process can run.
    var workflowNames: [String]
    /// The partition to claim from, on a partitioned queue.
    var partitionKey: String?
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
    var partitionKey: String?
}
