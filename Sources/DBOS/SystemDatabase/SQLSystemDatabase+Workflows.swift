import Foundation

/// Workflow rows: insert, complete, read and list.
extension SQLSystemDatabase {
    private static let insertColumns: SQLFragment = """
        workflow_uuid, status, name, executor_id, application_version, application_name, queue_name, \
        recovery_attempts, workflow_timeout_ms, workflow_deadline_epoch_ms, parent_workflow_id, owner_xid, \
        creator_xid, serialization, priority, deduplication_id, queue_partition_key, authenticated_user, \
        created_at, updated_at, delay_until_epoch_ms, schedule_name, attributes, is_debounced, debounce_deadline_epoch_ms
        """

    /// Inserts the status row, or keeps the existing one; returns the row either way. The
    /// owner is the creator for a direct start, none for an enqueued workflow.
    private func statusInsert(_ insert: WorkflowInsert) -> SQLQuery {
        Self.statusInsert([insert], tables: tables)
    }

    /// ``statusInsert(_:)`` for many rows in one statement (distinct workflow IDs).
    private static func statusInsert(_ inserts: [WorkflowInsert], tables: Tables) -> SQLQuery {
        """
        INSERT INTO \(tables.status) (\(insertColumns)) VALUES \(SQLQuery.joined(inserts.map { statusRow($0, tables: tables) }, separator: ", "))
        ON CONFLICT (workflow_uuid) DO UPDATE SET creator_xid = \(tables.status).creator_xid
        RETURNING workflow_uuid, status, name, creator_xid, serialization
        """
    }

    private static func statusRow(_ insert: WorkflowInsert, tables: Tables) -> SQLQuery {
        let running = insert.status == .pending
        return """
            (\(insert.workflowID), \(insert.status.rawValue), \(insert.name), \(insert.executorID),
            \(insert.applicationVersion), \(insert.applicationName), \(insert.queueName), \(running ? 1 : 0),
            \(insert.timeoutMilliseconds), \(insert.deadlineEpochMilliseconds), \(insert.parentWorkflowID),
            \(running ? insert.ownerXID : nil), \(insert.ownerXID), \(insert.serialization), \(insert.priority),
            \(insert.deduplicationID), \(insert.partitionKey), \(insert.authenticatedUser), \(insert.createdAt),
            \(insert.createdAt), \(insert.delayUntilEpochMilliseconds), \(insert.scheduleName),
            CAST(\(insert.attributes) AS \(tables.jsonType)), \(insert.isDebounced), \(insert.debounceDeadlineEpochMilliseconds))
            """
    }

    /// Inserts many workflows' status and input rows in one statement (PostgreSQL: writable
    /// CTEs), each input only when its row holds that workflow (same name). Returns the status
    /// rows, each with its `workflow_uuid`.
    static func workflowInsert(_ inserts: [WorkflowInsert], tables: Tables) -> SQLQuery {
        let inputs = inserts.map { insert -> SQLQuery in
            "(\(insert.workflowID)::text, \(insert.name)::text, \(insert.inputs)::text, \(insert.createdAt)::bigint)"
        }
        return """
            WITH ins AS (\(statusInsert(inserts, tables: tables))),
            input AS (
                INSERT INTO \(tables.inputs) (workflow_uuid, inputs, retention_timestamp)
                SELECT i.workflow_uuid, i.inputs, i.created_at
                FROM (VALUES \(SQLQuery.joined(inputs, separator: ", "))) AS i (workflow_uuid, name, inputs, created_at)
                JOIN ins ON ins.workflow_uuid = i.workflow_uuid AND ins.name = i.name
                ON CONFLICT (workflow_uuid) DO NOTHING)
            SELECT workflow_uuid, status, name, creator_xid, serialization FROM ins
            """
    }

    /// The result of inserting `insert`, from the status row the insert returned.
    static func insertResult(_ rows: [SQLRow], _ insert: WorkflowInsert) throws -> WorkflowInsertResult {
        guard let row = rows.first else {
            throw DBOSError.databaseError(operation: "insert workflow \(insert.workflowID)", reason: "no row returned")
        }
        return WorkflowInsertResult(
            status: WorkflowState(rawValue: try row.decode("status")), name: try row.decode("name"),
            created: try row.decode("creator_xid", as: String?.self) == insert.ownerXID,
            serialization: try row.decode("serialization"))
    }

    /// Writes the status and input rows through `execute`: in one statement where the dialect
    /// allows it (the group commit's statement, for one workflow), else in two (inside the
    /// caller's transaction). The input is written only when the row holds this workflow.
    private func insertRows(_ insert: WorkflowInsert, _ execute: (SQLQuery) async throws -> [SQLRow]) async throws -> WorkflowInsertResult {
        if dialect.supportsWritableCTEs {
            return try Self.insertResult(try await execute(Self.workflowInsert([insert], tables: tables)), insert)
        }
        let result = try Self.insertResult(try await execute(statusInsert(insert)), insert)
        if result.name == insert.name {
            _ = try await execute("""
                INSERT INTO \(tables.inputs) (workflow_uuid, inputs, retention_timestamp)
                VALUES (\(insert.workflowID), \(insert.inputs), \(insert.createdAt))
                ON CONFLICT (workflow_uuid) DO NOTHING
                """)
        }
        return result
    }

    /// A unique violation on an insert with a deduplication ID is that ID being taken.
    private func deduplicated<T>(_ insert: WorkflowInsert, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch where error.isUniqueViolation && insert.deduplicationID != nil {
            throw DBOSError.queueDeduplicated(queue: insert.queueName ?? "", deduplicationID: insert.deduplicationID ?? "")
        }
    }

    func insertWorkflow(_ insert: WorkflowInsert) async throws -> WorkflowInsertResult {
        try await deduplicated(insert) {
            // A server database batches inserts; SQLite's writes share one writer already.
            let result = if let insertBatcher {
                try await insertBatcher.write(insert)
            } else {
                try await driver.transaction { executor in try await self.insertRows(insert, executor.execute) }
            }
            if result.created, insert.status == .enqueued, let queue = insert.queueName { await notifyQueue(queue) }
            return result
        }
    }

    func insertChildWorkflow(_ insert: WorkflowInsert, as operation: StepRecord, ownerXID: String) async throws
        -> OperationWrite<WorkflowInsertResult> {
        try await deduplicated(insert) {
            let write = try await driver.transaction { executor in
                let write = try await self.record(operation, ownerXID: ownerXID, executor) {
                    let result = try await self.insertRows(insert, executor.execute)
                    // The ID belongs to another workflow: roll the operation record back too.
                    if result.name != insert.name {
                        throw DBOSError.conflictingWorkflow(workflowID: insert.workflowID, existingName: result.name, requestedName: insert.name)
                    }
                    return result
                }
                return try await self.ownChildStart(write, of: insert, executor)
            }
            if case .recorded(let result) = write, result.created, insert.status == .enqueued, let queue = insert.queueName {
                await notifyQueue(queue)
            }
            return write
        }
    }

    /// A refused child-start record may be this very call's: its first try committed and lost
    /// its answer with the connection, and the retry meets the record it wrote. The child row
    /// then carries this call's creator token, and the start counts as recorded and created
    /// here, so the caller runs the child (a replay would not, and nothing else would until a
    /// restart).
    private func ownChildStart(_ write: OperationWrite<WorkflowInsertResult>, of insert: WorkflowInsert,
                               _ executor: any SQLExecutor) async throws -> OperationWrite<WorkflowInsertResult> {
        guard case .alreadyRecorded(let existing) = write, existing.childWorkflowID == insert.workflowID else { return write }
        let rows = try await executor.execute("""
            SELECT workflow_uuid, status, name, creator_xid, serialization FROM \(tables.status)
            WHERE workflow_uuid = \(insert.workflowID) AND creator_xid = \(insert.ownerXID)
            """)
        return rows.isEmpty ? write : .recorded(try Self.insertResult(rows, insert))
    }

    func completeWorkflow(workflowID: String, ownerXID: String, state: WorkflowState, output: String?, error: String?) async throws -> Bool {
        if let completionBatcher {
            return try await completionBatcher.write(
                Completion(workflowID: workflowID, ownerXID: ownerXID, state: state, output: output, error: error))
        }
        // SQLite (a server database batches completions): the status row, then the output.
        let now = clock.nowMilliseconds
        return try await driver.transaction { executor in
            guard try await !executor.execute("""
                UPDATE \(self.tables.status) SET status = \(state.rawValue), deduplication_id = NULL, owner_xid = NULL,
                    updated_at = \(now), completed_at = \(now)
                WHERE workflow_uuid = \(workflowID) AND status = 'PENDING' AND owner_xid = \(ownerXID)
                RETURNING 1 AS written
                """).isEmpty else { return false }
            _ = try await executor.execute("""
                INSERT INTO \(self.tables.outputs) (workflow_uuid, output, error, retention_timestamp)
                VALUES (\(workflowID), \(output), \(error), \(now))
                ON CONFLICT (workflow_uuid) DO UPDATE SET output = excluded.output, error = excluded.error
                """)
            return true
        }
    }

    /// Completes many workflows in one statement (PostgreSQL: writable CTEs, typed `VALUES`):
    /// each row moves to its final status only while PENDING and owned by its owner token, and
    /// then gets its output row. Returns the `workflow_uuid` of each workflow completed.
    static func completionUpdate(_ completions: [Completion], at now: Int64, tables: Tables) -> SQLQuery {
        let rows = completions.map { completion -> SQLQuery in
            """
            (\(completion.workflowID)::text, \(completion.ownerXID)::text, \(completion.state.rawValue)::text, \
            \(completion.output)::text, \(completion.error)::text)
            """
        }
        return """
            WITH v (workflow_uuid, owner_xid, status, output, error) AS (VALUES \(SQLQuery.joined(rows, separator: ", "))),
            updated AS (
                UPDATE \(tables.status) s SET status = v.status, deduplication_id = NULL, owner_xid = NULL,
                    updated_at = \(now), completed_at = \(now)
                FROM v WHERE s.workflow_uuid = v.workflow_uuid AND s.status = 'PENDING' AND s.owner_xid = v.owner_xid
                RETURNING s.workflow_uuid),
            stored AS (
                INSERT INTO \(tables.outputs) (workflow_uuid, output, error, retention_timestamp)
                SELECT v.workflow_uuid, v.output, v.error, \(now) FROM v JOIN updated u ON u.workflow_uuid = v.workflow_uuid
                ON CONFLICT (workflow_uuid) DO UPDATE SET output = excluded.output, error = excluded.error
                RETURNING 1)
            SELECT workflow_uuid FROM updated
            """
    }

    // MARK: Status and listing

    private var statusSelect: SQLFragment {
        """
        SELECT ws.workflow_uuid, ws.status, ws.name, ws.class_name, ws.config_name, ws.queue_name, ws.executor_id,
               ws.application_version, ws.application_id, ws.authenticated_user, ws.recovery_attempts, ws.created_at,
               ws.updated_at, ws.started_at_epoch_ms, ws.completed_at, ws.workflow_timeout_ms,
               ws.workflow_deadline_epoch_ms, ws.deduplication_id, ws.priority, ws.queue_partition_key, ws.forked_from,
               ws.was_forked_from, ws.parent_workflow_id, ws.serialization
        """
    }

    private var withPayloads: SQLQuery {
        """
        , COALESCE(wi.inputs, ws.inputs) AS inputs, COALESCE(wo.output, ws.output) AS output,
          COALESCE(wo.error, ws.error) AS error
        FROM \(tables.status) ws
        LEFT JOIN \(tables.inputs) wi ON wi.workflow_uuid = ws.workflow_uuid
        LEFT JOIN \(tables.outputs) wo ON wo.workflow_uuid = ws.workflow_uuid
        """
    }

    func workflowStatus(workflowID: String) async throws -> WorkflowStatus? {
        try await driver.read("\(statusSelect)\(withPayloads) WHERE ws.workflow_uuid = \(workflowID)")
            .first.map(WorkflowStatus.init(row:))
    }

    func listWorkflows(_ filter: ListWorkflowsFilter) async throws -> [WorkflowStatus] {
        var conditions: [SQLQuery] = []
        if let ids = filter.workflowIDs {
            if ids.isEmpty { return [] }
            conditions.append("ws.workflow_uuid IN (\(dialect.values(ids)))")
        }
        if let prefix = filter.workflowIDPrefix {
            conditions.append("substr(ws.workflow_uuid, 1, CAST(\(prefix.count) AS INTEGER)) = \(prefix)")
        }
        if let name = filter.name { conditions.append("ws.name = \(name)") }
        if let states = filter.status {
            if states.isEmpty { return [] }
            conditions.append("ws.status IN (\(list: states.map(\.rawValue)))")
            // Only queued or running ones: the partial index's own terms (see `inFlight`).
            if Set(states).isSubset(of: [.enqueued, .pending]) { conditions.append("ws.\(Self.inFlight)") }
        }
        if let queue = filter.queueName { conditions.append("ws.queue_name = \(queue)") }
        if let version = filter.applicationVersion { conditions.append("ws.application_version = \(version)") }
        if let executor = filter.executorID { conditions.append("ws.executor_id = \(executor)") }
        if let parent = filter.parentWorkflowID { conditions.append("ws.parent_workflow_id = \(parent)") }
        if let forked = filter.forkedFrom { conditions.append("ws.forked_from = \(forked)") }
        if let wasForkedFrom = filter.wasForkedFrom { conditions.append("ws.was_forked_from = \(wasForkedFrom)") }
        if let isFork = filter.isFork { conditions.append(isFork ? "ws.forked_from IS NOT NULL" : "ws.forked_from IS NULL") }
        if let hasParent = filter.hasParent {
            conditions.append(hasParent ? "ws.parent_workflow_id IS NOT NULL" : "ws.parent_workflow_id IS NULL")
        }
        if let after = filter.createdAfter { conditions.append("ws.created_at >= \(after)") }
        if let before = filter.createdBefore { conditions.append("ws.created_at <= \(before)") }
        if let after = filter.completedAfter { conditions.append("ws.completed_at >= \(after)") }
        if let before = filter.completedBefore { conditions.append("ws.completed_at <= \(before)") }
        var query: SQLQuery = filter.loadPayloads
            ? "\(statusSelect)\(withPayloads)"
            : "\(statusSelect), NULL AS inputs, NULL AS output, NULL AS error FROM \(tables.status) ws"
        if !conditions.isEmpty { query.append(" WHERE " + SQLQuery.joined(conditions, separator: " AND ")) }
        let direction: SQLFragment = filter.sortDescending ? "DESC" : "ASC"
        query.append(" ORDER BY ws.created_at \(direction), ws.workflow_uuid \(direction)")
        if let limit = filter.limit { query.append(" LIMIT \(limit)") }
        if let offset = filter.offset {
            if filter.limit == nil { query.append("\(dialect.limitForOffsetOnly)") }
            query.append(" OFFSET \(offset)")
        }
        return try await driver.read(query).map(WorkflowStatus.init(row:))
    }
}

extension WorkflowStatus {
    /// A status row read with the columns of `statusSelect` (and the payload columns).
    init(row: SQLRow) throws {
        self.init(
            workflowID: try row.decode("workflow_uuid"), state: WorkflowState(rawValue: try row.decode("status")),
            name: try row.decode("name"), className: try row.decode("class_name"), configName: try row.decode("config_name"),
            queueName: try row.decode("queue_name"), executorID: try row.decode("executor_id"),
            applicationVersion: try row.decode("application_version"), applicationID: try row.decode("application_id"),
            authenticatedUser: try row.decode("authenticated_user"), recoveryAttempts: try row.decode("recovery_attempts", as: Int?.self) ?? 0,
            createdAt: try row.decode("created_at"), updatedAt: try row.decode("updated_at"),
            startedAt: try row.decode("started_at_epoch_ms"), completedAt: try row.decode("completed_at"),
            timeout: try row.decode("workflow_timeout_ms", as: Int64?.self).map { .milliseconds($0) },
            deadline: try row.decode("workflow_deadline_epoch_ms"), deduplicationID: try row.decode("deduplication_id"),
            priority: try row.decode("priority"), partitionKey: try row.decode("queue_partition_key"),
            forkedFrom: try row.decode("forked_from"), wasForkedFrom: try row.decode("was_forked_from"),
            parentWorkflowID: try row.decode("parent_workflow_id"), serialization: try row.decode("serialization"),
            input: try row.decode("inputs"), output: try row.decode("output"), error: try row.decode("error"))
    }
}

extension StepRecord {
    /// An `operation_outputs` row read with ``SQLSystemDatabase/stepColumns``.
    init(row: SQLRow) throws {
        self.init(
            workflowID: try row.decode("workflow_uuid"), functionID: try row.decode("function_id"),
            functionName: try row.decode("function_name"), output: try row.decode("output"), error: try row.decode("error"),
            childWorkflowID: try row.decode("child_workflow_id"), startedAt: try row.decode("started_at_epoch_ms"),
            completedAt: try row.decode("completed_at_epoch_ms"), serialization: try row.decode("serialization"))
    }
}
