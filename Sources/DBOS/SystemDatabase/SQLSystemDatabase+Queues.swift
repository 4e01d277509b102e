import Foundation

/// Durable queues on `workflow_status`: claiming, delayed work, timeouts.
extension SQLSystemDatabase {
    /// The condition of the partial indexes on queued and running workflows, repeated word for
    /// word in the queries that should use them: SQLite uses a partial index only when the
    /// query contains its condition's very terms (`status = 'ENQUEUED'` alone does not do), and
    /// without it a queue's claim scans every finished workflow in the table.
    static let inFlight: SQLFragment = "status IN ('ENQUEUED', 'PENDING')"

    /// Claims up to `limit` ENQUEUED workflows of `queue` (of one partition when
    /// `partitionKey` is set) for this executor, honouring global and per-partition concurrency
    /// and rate limits, in priority then FIFO order.
    func claimQueued(_ queue: QueueClaim) async throws -> [ClaimedWorkflow] {
        guard queue.limit > 0, !queue.workflowNames.isEmpty else { return [] }
        let definition = queue.definition
        if dialect.hasSingleWriter {
            // One writer at a time: look (on the reader) before taking the write lock, since
            // dispatchers wake at every commit of another process.
            let waiting = try await driver.read(
                "SELECT 1 AS found FROM \(tables.status) WHERE queue_name = \(definition.name) AND status = 'ENQUEUED'\(dialect.inFlightTerms) LIMIT 1")
            guard !waiting.isEmpty else { return [] }
        }
        let turn = definition.hasSharedBudget ? dialect.queueTurn(definition.name) : nil
        // The claim's owner token is chosen before the first try: when a COMMIT's outcome was
        // lost with its connection, the retry finds the rows that claim took instead of
        // stranding them under a token nobody holds.
        let token = UUID().uuidString.lowercased()
        let tries = TryCounter()
        var claimed: [ClaimedWorkflow] = []
        defer {
            // A try that got no answer may still commit on the server, after the retry looked.
            if tries.count > 1 {
                uncertainClaims.remember(token: token, queueName: definition.name, returned: claimed.map(\.workflowID))
            }
        }
        do {
            claimed = try await claim(queue, token: token, turn: turn, tries: tries)
            return claimed
        } catch where error.isLockNotAvailable {
            return []   // another claimer holds the queue's head: the next poll tries again
        }
    }

    /// Rows PENDING under the token of a claim that needed a retry, which the dispatcher was
    /// not given: an abandoned try of that claim committed them late (see ``UncertainClaims``).
    /// No query unless such a claim of `queueName` is being watched.
    func strandedClaims(queueName: String) async throws -> [ClaimedWorkflow] {
        let tokens = uncertainClaims.tokens(queueName: queueName)
        guard !tokens.isEmpty else { return [] }
        let rows = try await driver.read("""
            SELECT \(claimedColumns) FROM \(tables.status)
            WHERE queue_name = \(queueName) AND status = 'PENDING'\(dialect.inFlightTerms) AND owner_xid IN (\(list: tokens))
            """)
        return uncertainClaims.adopt(try rows.map(ClaimedWorkflow.init(row:)))
    }

    /// What a claim returns of each workflow it took.
    /// Queued work a process of `version` may run, as DBOS 3.4 dequeues: its own version's, and
    /// work with no version only when `version` is the latest registered one (or none is), so
    /// version-less work goes to the newest deployment while an older one drains.
    private func runnableVersion(_ version: String) -> SQLQuery {
        let latest: SQLQuery = """
            (SELECT version_name FROM \(dialect.table(.applicationVersions)) ORDER BY version_timestamp DESC, created_at DESC LIMIT 1)
            """
        return "(application_version = \(version) OR (application_version IS NULL AND COALESCE(\(latest), \(version)) = \(version)))"
    }

    private var claimedColumns: SQLQuery {
        let status = tables.status
        return """
            workflow_uuid, name, owner_xid, recovery_attempts, workflow_deadline_epoch_ms, queue_partition_key,
            CAST(attributes AS TEXT) AS attributes,
            EXISTS (SELECT 1 FROM \(tables.operations) o WHERE o.workflow_uuid = \(status).workflow_uuid) AS has_steps,
            (SELECT inputs FROM \(tables.inputs) i WHERE i.workflow_uuid = \(status).workflow_uuid) AS inputs
            """
    }

    private func claim(_ queue: QueueClaim, token: String, turn: SQLQuery?, tries: TryCounter) async throws -> [ClaimedWorkflow] {
        let definition = queue.definition
        let status = tables.status
        let claimedColumns = self.claimedColumns
        return try await driver.transaction { executor in
            if tries.next() > 1 {
                let earlier = try await executor.execute("""
                    SELECT \(claimedColumns) FROM \(status)
                    WHERE queue_name = \(definition.name) AND status = 'PENDING'\(self.dialect.inFlightTerms) AND owner_xid = \(token)
                    """)
                if !earlier.isEmpty { return try earlier.map(ClaimedWorkflow.init(row:)) }
            }
            // Dequeuers of one queue take turns, so global limits hold across processes.
            if let turn { _ = try await executor.execute(turn) }
            // Read the clock once it is our turn: start times then follow the claim order. Rate
            // limits count start times across hosts, so on the wall clock they are the
            // database's clock's (a test clock is every process's time already).
            let rateLimited = definition.rateLimit != nil || definition.partitionRateLimit != nil
            let now = rateLimited && self.clock.isWallClock
                ? try await executor.execute("SELECT \(self.dialect.nowMilliseconds) AS now").first?.decode("now") ?? self.clock.nowMilliseconds
                : self.clock.nowMilliseconds
            let available = try await self.claimBudget(queue, now: now, executor)
            guard available > 0 else { return [] }
            // DBOS 3.4's order on every queue (priorities are 0 unless the queue takes them): the
            // in-flight index's own order, so the claim reads its head instead of sorting the queue.
            let order: SQLFragment = "priority ASC, created_at ASC"
            let partition: SQLQuery = queue.partitionKey.map { " AND queue_partition_key = \($0)" } ?? ""
            // Only workflows this process can run: registered names, readable payloads.
            let candidates = try await executor.execute("""
                SELECT workflow_uuid FROM \(self.tables.status)
                WHERE queue_name = \(definition.name) AND status = 'ENQUEUED'\(self.dialect.inFlightTerms)
                  AND \(self.runnableVersion(queue.applicationVersion))
                  AND (serialization IS NULL OR serialization = \(queue.readableFormat))
                  AND name IN (\(list: queue.workflowNames))\(partition)
                ORDER BY \(order) LIMIT \(available)\(definition.hasSharedBudget ? self.dialect.lockSharedClaim : self.dialect.skipLocked)
                """)
            let ids: [String] = try candidates.map { try $0.decode("workflow_uuid") }
            guard !ids.isEmpty else { return [] }
            // A timeout longer than a century (written by another client) is a century: the sum
            // must fit the column.
            let longest = Duration.longestKept.milliseconds
            let rows = try await executor.execute("""
                UPDATE \(status) SET status = 'PENDING', executor_id = \(queue.executorID),
                    application_version = \(queue.applicationVersion), started_at_epoch_ms = \(now), updated_at = \(now),
                    recovery_attempts = recovery_attempts + 1, owner_xid = \(token),
                    rate_limited = \(rateLimited),
                    workflow_deadline_epoch_ms = CASE WHEN workflow_timeout_ms IS NULL OR workflow_deadline_epoch_ms IS NOT NULL
                        THEN workflow_deadline_epoch_ms
                        WHEN workflow_timeout_ms > \(longest) THEN \(now + longest)
                        ELSE \(now) + workflow_timeout_ms END
                WHERE status = 'ENQUEUED' AND queue_name = \(definition.name) AND workflow_uuid IN (\(list: ids))
                RETURNING \(claimedColumns)
                """)
            return try rows.map(ClaimedWorkflow.init(row:))
        }
    }

    /// How many workflows the claim may start now: the free local slots, within the queue's
    /// (and the partition's) concurrency and rate limits.
    private func claimBudget(_ queue: QueueClaim, now: Int64, _ executor: any SQLExecutor) async throws -> Int {
        let definition = queue.definition
        // Rows of this queue (and of this partition when `partitioned`) matching `condition`.
        func count(_ condition: SQLQuery, partitioned: Bool) async throws -> Int {
            let partition: SQLQuery = partitioned ? " AND queue_partition_key = \(queue.partitionKey)" : ""
            return try await executor.execute(
                "SELECT count(*) AS n FROM \(tables.status) WHERE queue_name = \(definition.name) AND \(condition)\(partition)"
            ).first?.decode("n") ?? 0
        }
        func remaining(_ limit: RateLimit, partitioned: Bool) async throws -> Int {
            let since = now - limit.period.milliseconds
            return limit.limit - (try await count("rate_limited = \(true) AND started_at_epoch_ms > \(since)", partitioned: partitioned))
        }
        var available = queue.limit
        if let concurrency = definition.concurrency {
            available = min(available, concurrency - (try await count("status = 'PENDING'\(dialect.inFlightTerms)", partitioned: false)))
        }
        if available > 0, let rateLimit = definition.rateLimit {
            available = min(available, try await remaining(rateLimit, partitioned: false))
        }
        if queue.partitionKey != nil {
            if available > 0, let concurrency = definition.partitionConcurrency {
                available = min(available, concurrency - (try await count("status = 'PENDING'\(dialect.inFlightTerms)", partitioned: true)))
            }
            if available > 0, let rateLimit = definition.partitionRateLimit {
                available = min(available, try await remaining(rateLimit, partitioned: true))
            }
        }
        return available
    }

    func queuePartitions(queue: String, applicationVersion: String, workflowNames: [String]) async throws -> [String] {
        guard !workflowNames.isEmpty else { return [] }
        return try await driver.read("""
            SELECT DISTINCT queue_partition_key FROM \(tables.status)
            WHERE queue_name = \(queue) AND status = 'ENQUEUED'\(dialect.inFlightTerms) AND queue_partition_key IS NOT NULL
              AND \(runnableVersion(applicationVersion)) AND name IN (\(list: workflowNames))
            """).map { try $0.decode("queue_partition_key") }
    }

    func activeWorkflowID(queue: String, deduplicationID: String) async throws -> String? {
        try await driver.read("""
            SELECT workflow_uuid FROM \(tables.status) WHERE queue_name = \(queue) AND deduplication_id = \(deduplicationID)
              AND status IN ('ENQUEUED', 'DELAYED', 'PENDING')
            """).first?.decode("workflow_uuid")
    }

    func maintenanceDue() async throws -> (delayedDue: Bool, deadlinePassed: Bool) {
        let now = clock.nowMilliseconds
        let row = try await driver.read("""
            SELECT EXISTS (SELECT 1 FROM \(tables.status) WHERE status = 'DELAYED' AND delay_until_epoch_ms <= \(now)) AS delayed_due,
                   EXISTS (SELECT 1 FROM \(tables.status) WHERE status IN ('ENQUEUED', 'PENDING', 'DELAYED')
                           AND workflow_deadline_epoch_ms IS NOT NULL AND workflow_deadline_epoch_ms < \(now)) AS deadline_passed
            """).first
        return (try row?.decode("delayed_due") ?? false, try row?.decode("deadline_passed") ?? false)
    }

    /// Moves DELAYED workflows whose delay has passed to ENQUEUED. A debounced one gives up its
    /// debounce key (its deduplication ID) then, as in DBOS: a later debounce starts a new one.
    func releaseDelayed() async throws -> [String] {
        let now = clock.nowMilliseconds
        return try await driver.write("""
            UPDATE \(tables.status) SET status = 'ENQUEUED', updated_at = \(now),
                deduplication_id = CASE WHEN is_debounced = \(true) THEN NULL ELSE deduplication_id END
            WHERE status = 'DELAYED' AND delay_until_epoch_ms <= \(now) RETURNING queue_name
            """).compactMap { try $0.decode("queue_name") }
    }

    func cancelTimedOut() async throws -> [String] {
        let now = clock.nowMilliseconds
        return try await driver.write("""
            UPDATE \(tables.status) SET status = 'CANCELLED', owner_xid = NULL, deduplication_id = NULL, updated_at = \(now)
            WHERE status IN ('ENQUEUED', 'PENDING', 'DELAYED') AND workflow_deadline_epoch_ms IS NOT NULL
              AND workflow_deadline_epoch_ms < \(now)
            RETURNING workflow_uuid
            """).map { try $0.decode("workflow_uuid") }
    }

    func lostOwnership(_ owned: [(workflowID: String, ownerXID: String)]) async throws -> [String] {
        guard !owned.isEmpty else { return [] }
        // One statement however many run here: the executions whose row is gone, finished,
        // or owned by another execution.
        return try await driver.read("""
            SELECT o.first AS workflow_uuid, o.second AS owner_xid FROM (\(dialect.pairs(owned.map { ($0.workflowID, $0.ownerXID) }))) o
            LEFT JOIN \(tables.status) ws ON ws.workflow_uuid = o.first
            WHERE ws.workflow_uuid IS NULL OR ws.status <> 'PENDING' OR ws.owner_xid IS NULL OR ws.owner_xid <> o.second
            """).map { try $0.decode("workflow_uuid") }
    }

    func requeuePending(executorID: String, applicationVersion: String, isRunningHere: (String) -> Bool) async throws -> Int {
        let candidates: [String] = try await driver.read("""
            SELECT workflow_uuid FROM \(tables.status)
            WHERE status = 'PENDING' AND executor_id = \(executorID) AND application_version = \(applicationVersion)
              AND queue_name IS NOT NULL
            """).map { try $0.decode("workflow_uuid") }
        let requeue = candidates.filter { !isRunningHere($0) }
        guard !requeue.isEmpty else { return 0 }
        return try await driver.write("""
            UPDATE \(tables.status) SET status = 'ENQUEUED', owner_xid = NULL, started_at_epoch_ms = NULL,
                updated_at = \(clock.nowMilliseconds)
            WHERE status = 'PENDING' AND executor_id = \(executorID) AND workflow_uuid IN (\(dialect.values(requeue)))
            RETURNING workflow_uuid
            """).count
    }

    func upsertQueue(_ queue: QueueDefinition) async throws {
        let now = clock.nowMilliseconds
        _ = try await driver.write("""
            INSERT INTO \(tables.queues) (queue_id, name, concurrency, worker_concurrency, rate_limit_max,
                rate_limit_period_sec, priority_enabled, partition_queue, polling_interval_sec, created_at, updated_at,
                partition_concurrency, partition_worker_concurrency, partition_rate_limit_max, partition_rate_limit_period_sec)
            VALUES (\(UUID().uuidString.lowercased()), \(queue.name), \(queue.concurrency), \(queue.workerConcurrency),
                \(queue.rateLimit?.limit), \(queue.rateLimit?.period.seconds), \(queue.priorityEnabled), \(queue.isPartitioned),
                \(queue.pollingInterval.seconds), \(now), \(now), \(queue.partitionConcurrency), \(queue.partitionWorkerConcurrency),
                \(queue.partitionRateLimit?.limit), \(queue.partitionRateLimit?.period.seconds))
            ON CONFLICT (name) DO UPDATE SET concurrency = excluded.concurrency, worker_concurrency = excluded.worker_concurrency,
                rate_limit_max = excluded.rate_limit_max, rate_limit_period_sec = excluded.rate_limit_period_sec,
                priority_enabled = excluded.priority_enabled, partition_queue = excluded.partition_queue,
                polling_interval_sec = excluded.polling_interval_sec, updated_at = excluded.updated_at,
                partition_concurrency = excluded.partition_concurrency,
                partition_worker_concurrency = excluded.partition_worker_concurrency,
                partition_rate_limit_max = excluded.partition_rate_limit_max,
                partition_rate_limit_period_sec = excluded.partition_rate_limit_period_sec
            """)
    }
}

extension ClaimedWorkflow {
    init(row: SQLRow) throws {
        self.init(workflowID: try row.decode("workflow_uuid"), name: try row.decode("name"), ownerXID: try row.decode("owner_xid"),
                  inputs: try row.decode("inputs"), hasSteps: try row.decode("has_steps"),
                  recoveryAttempts: try row.decode("recovery_attempts"),
                  deadlineEpochMilliseconds: try row.decode("workflow_deadline_epoch_ms"),
                  partitionKey: try row.decode("queue_partition_key"), attributes: try row.decode("attributes"))
    }
}
