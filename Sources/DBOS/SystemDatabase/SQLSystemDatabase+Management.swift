import Foundation

/// Cancel, resume, fork and delete.
extension SQLSystemDatabase {
    private var status: String { driver.dialect.table("workflow_status") }

    /// Cancels active workflows (and, optionally, their descendants). Returns the IDs cancelled.
    func cancel(workflowIDs: [String], includeChildren: Bool) async throws -> [String] {
        var frontier = workflowIDs
        var seen = Set(workflowIDs)
        var cancelled: [String] = []
        while !frontier.isEmpty {
            let placeholders = frontier.indices.map { "$\($0 + 2)" }.joined(separator: ", ")
            let now = Clock.nowMillis()
            let rows = try await driver.write(SQLStatement("""
                UPDATE \(status) SET status = 'CANCELLED', owner_xid = NULL, queue_name = NULL, deduplication_id = NULL,
                    started_at_epoch_ms = NULL, updated_at = $1, completed_at = $1
                WHERE workflow_uuid IN (\(placeholders)) AND status NOT IN ('SUCCESS', 'ERROR')
                RETURNING workflow_uuid
                """, [.int(now)] + frontier.map { .text($0) }))
            cancelled += rows.compactMap { $0.string("workflow_uuid") }
            guard includeChildren else { break }
            let children = try await driver.read(SQLStatement(
                "SELECT workflow_uuid FROM \(status) WHERE parent_workflow_id IN (\(frontier.indices.map { "$\($0 + 1)" }.joined(separator: ", ")))",
                frontier.map { .text($0) })).compactMap { $0.string("workflow_uuid") }
            frontier = children.filter { seen.insert($0).inserted }
        }
        return cancelled
    }

    /// Puts a cancelled or stranded workflow back on a queue to continue from its last completed step.
    func resume(workflowID: String, queueName: String) async throws -> Bool {
        let rows = try await driver.write(SQLStatement("""
            UPDATE \(status) SET status = 'ENQUEUED', owner_xid = NULL, queue_name = $2, recovery_attempts = 0,
                workflow_deadline_epoch_ms = NULL, deduplication_id = NULL, started_at_epoch_ms = NULL,
                updated_at = $3, completed_at = NULL
            WHERE workflow_uuid = $1 AND status NOT IN ('SUCCESS', 'ERROR')
            RETURNING workflow_uuid
            """, [.text(workflowID), .text(queueName), .int(Clock.nowMillis())]))
        if !rows.isEmpty { await notifyQueue(queueName) }
        return !rows.isEmpty
    }

    /// Creates workflow `newID` as a copy of `workflowID` that reuses the outcomes of its
    /// operations before `startStep` and runs from there; it is enqueued on `queueName`.
    func fork(workflowID: String, newID: String, startStep: Int, applicationVersion: String, queueName: String) async throws {
        let operations = driver.dialect.table("operation_outputs")
        let inputs = driver.dialect.table("workflow_input")
        let history = driver.dialect.table("workflow_events_history")
        let events = driver.dialect.table("workflow_events")
        let streams = driver.dialect.table("streams")
        try await driver.transaction { executor in
            let now = Clock.nowMillis()
            let copied = try await executor.execute(SQLStatement("""
                INSERT INTO \(self.status) (workflow_uuid, status, name, class_name, config_name, application_version, application_id,
                    authenticated_user, authenticated_roles, assumed_role, serialization, queue_name, forked_from,
                    recovery_attempts, created_at, updated_at, priority, application_name)
                SELECT $2, 'ENQUEUED', name, class_name, config_name, $3, application_id, authenticated_user,
                    authenticated_roles, assumed_role, serialization, $4, workflow_uuid, 0, $5, $5, 0, application_name
                FROM \(self.status) WHERE workflow_uuid = $1
                RETURNING workflow_uuid
                """, [.text(workflowID), .text(newID), .text(applicationVersion), .text(queueName), .int(now)]))
            guard !copied.isEmpty else { throw DBOSError.nonexistentWorkflow(workflowID: workflowID) }
            _ = try await executor.execute(SQLStatement("""
                INSERT INTO \(inputs) (workflow_uuid, inputs, retention_timestamp)
                SELECT $2, COALESCE(wi.inputs, ws.inputs), $3 FROM \(self.status) ws
                LEFT JOIN \(inputs) wi ON wi.workflow_uuid = ws.workflow_uuid WHERE ws.workflow_uuid = $1
                """, [.text(workflowID), .text(newID), .int(now)]))
            _ = try await executor.execute(SQLStatement(
                "UPDATE \(self.status) SET was_forked_from = $2 WHERE workflow_uuid = $1", [.text(workflowID), .bool(true)]))
            let before: [SQLValue] = [.text(workflowID), .text(newID), .int(Int64(startStep))]
            _ = try await executor.execute(SQLStatement("""
                INSERT INTO \(operations) (workflow_uuid, function_id, function_name, output, error, child_workflow_id,
                    started_at_epoch_ms, completed_at_epoch_ms, serialization, application_name)
                SELECT $2, function_id, function_name, output, error, child_workflow_id, started_at_epoch_ms,
                    completed_at_epoch_ms, serialization, application_name
                FROM \(operations) WHERE workflow_uuid = $1 AND function_id < $3
                """, before))
            _ = try await executor.execute(SQLStatement("""
                INSERT INTO \(history) (workflow_uuid, function_id, key, value, serialization)
                SELECT $2, function_id, key, value, serialization FROM \(history) WHERE workflow_uuid = $1 AND function_id < $3
                """, before))
            // The latest value of each event as of the fork point.
            _ = try await executor.execute(SQLStatement("""
                INSERT INTO \(events) (workflow_uuid, key, value, serialization)
                SELECT $1, h.key, h.value, h.serialization FROM \(history) h
                WHERE h.workflow_uuid = $1 AND h.function_id = (
                    SELECT MAX(h2.function_id) FROM \(history) h2 WHERE h2.workflow_uuid = $1 AND h2.key = h.key)
                """, [.text(newID)]))
            _ = try await executor.execute(SQLStatement("""
                INSERT INTO \(streams) (workflow_uuid, key, value, "offset", function_id, serialization)
                SELECT $2, key, value, "offset", function_id, serialization FROM \(streams) WHERE workflow_uuid = $1 AND function_id < $3
                """, before))
        }
        await notifyQueue(queueName)
    }

    /// Deletes workflows and everything recorded for them. Returns the IDs deleted.
    func delete(workflowIDs: [String], includeChildren: Bool) async throws -> [String] {
        var all = workflowIDs
        if includeChildren {
            var frontier = workflowIDs
            var seen = Set(workflowIDs)
            while !frontier.isEmpty {
                let children = try await driver.read(SQLStatement(
                    "SELECT workflow_uuid FROM \(status) WHERE parent_workflow_id IN (\(frontier.indices.map { "$\($0 + 1)" }.joined(separator: ", ")))",
                    frontier.map { .text($0) })).compactMap { $0.string("workflow_uuid") }
                frontier = children.filter { seen.insert($0).inserted }
                all += frontier
            }
        }
        let ids = all
        return try await driver.transaction { executor in
            let placeholders = ids.indices.map { "$\($0 + 1)" }.joined(separator: ", ")
            let binds = ids.map { SQLValue.text($0) }
            for table in ["operation_outputs", "workflow_input", "workflow_output"] {
                _ = try await executor.execute(SQLStatement(
                    "DELETE FROM \(self.driver.dialect.table(table)) WHERE workflow_uuid IN (\(placeholders))", binds))
            }
            return try await executor.execute(SQLStatement(
                "DELETE FROM \(self.status) WHERE workflow_uuid IN (\(placeholders)) RETURNING workflow_uuid", binds))
                .compactMap { $0.string("workflow_uuid") }
        }
    }
}

extension SQLSystemDatabase {
    /// DBOS's tables, children before the tables they reference.
    private static let tablesInDropOrder = [
        "operation_outputs", "notifications", "workflow_events", "workflow_events_history", "streams", "workflow_input",
        "workflow_output", "workflow_status", "workflow_schedules", "application_versions", "queues", "event_dispatch_kv",
        "dbos_migrations",
    ]

    /// Deletes every DBOS table (on PostgreSQL the whole DBOS schema) and creates them again.
    func reset() async throws -> MigrationReport {
        if driver.dialect.isPostgres {
            let schema = String(driver.dialect.prefix.dropLast())   // `"dbos".` -> `"dbos"`
            _ = try await driver.write(SQLStatement("DROP SCHEMA IF EXISTS \(schema) CASCADE"))
        } else {
            for table in Self.tablesInDropOrder {
                _ = try await driver.write(SQLStatement("DROP TABLE IF EXISTS \(driver.dialect.table(table))"))
            }
        }
        return try await migrate()
    }
}
