import Foundation

/// Cancel, resume, fork, delete and reset.
extension SQLSystemDatabase {
    /// `ids` and, with `includeChildren`, all their descendants (parents first).
    func withDescendants(_ ids: [String], includeChildren: Bool) async throws -> [String] {
        guard includeChildren else { return ids }
        var all = ids
        var frontier = ids
        var seen = Set(ids)
        while !frontier.isEmpty {
            let children: [String] = try await driver.read(
                "SELECT workflow_uuid FROM \(tables.status) WHERE parent_workflow_id IN (\(dialect.values(frontier)))"
            ).map { try $0.decode("workflow_uuid") }
            frontier = children.filter { seen.insert($0).inserted }
            all += frontier
        }
        return all
    }

    func cancel(workflowIDs: [String], includeChildren: Bool) async throws -> [String] {
        let ids = try await withDescendants(workflowIDs, includeChildren: includeChildren)
        let now = clock.nowMilliseconds
        return try await driver.write("""
            UPDATE \(tables.status) SET status = 'CANCELLED', owner_xid = NULL, queue_name = NULL, deduplication_id = NULL,
                started_at_epoch_ms = NULL, updated_at = \(now), completed_at = \(now)
            WHERE workflow_uuid IN (\(dialect.values(ids))) AND status NOT IN ('SUCCESS', 'ERROR')
            RETURNING workflow_uuid
            """).map { try $0.decode("workflow_uuid") }
    }

    func resume(workflowIDs: [String], queueName: String) async throws -> [String] {
        let rows = try await driver.write("""
            UPDATE \(tables.status) SET status = 'ENQUEUED', owner_xid = NULL, queue_name = \(queueName), recovery_attempts = 0,
                workflow_deadline_epoch_ms = NULL, deduplication_id = NULL, started_at_epoch_ms = NULL,
                updated_at = \(clock.nowMilliseconds), completed_at = NULL
            WHERE workflow_uuid IN (\(dialect.values(workflowIDs))) AND status NOT IN ('SUCCESS', 'ERROR')
            RETURNING workflow_uuid
            """)
        if !rows.isEmpty { await notifyQueue(queueName) }
        return try rows.map { try $0.decode("workflow_uuid") }
    }

    func existingWorkflowIDs(_ workflowIDs: [String]) async throws -> Set<String> {
        Set(try await driver.read(
            "SELECT workflow_uuid FROM \(tables.status) WHERE workflow_uuid IN (\(dialect.values(workflowIDs)))"
        ).map { try $0.decode("workflow_uuid") })
    }

    func firstFinished(among workflowIDs: [String]) async throws -> String? {
        try await driver.read("""
            SELECT workflow_uuid FROM \(tables.status)
            WHERE workflow_uuid IN (\(dialect.values(workflowIDs))) AND status NOT IN ('PENDING', 'ENQUEUED', 'DELAYED')
            ORDER BY updated_at, workflow_uuid LIMIT 1
            """).first?.decode("workflow_uuid")
    }

    func fork(_ fork: WorkflowFork) async throws {
        let tables = self.tables
        let now = clock.nowMilliseconds
        let (workflowID, newID, startStep) = (fork.workflowID, fork.newID, fork.startStep)
        try await driver.transaction { executor in
            let copied = try await executor.execute("""
                INSERT INTO \(tables.status) (workflow_uuid, status, name, class_name, config_name, application_version, application_id,
                    authenticated_user, authenticated_roles, assumed_role, serialization, queue_name, queue_partition_key, forked_from,
                    recovery_attempts, created_at, updated_at, priority, application_name, attributes, workflow_timeout_ms)
                SELECT \(newID), 'ENQUEUED', name, class_name, config_name, \(fork.applicationVersion), application_id, authenticated_user,
                    authenticated_roles, assumed_role, serialization, \(fork.queueName), \(fork.partitionKey), workflow_uuid, 0, \(now),
                    \(now), 0, application_name, attributes, \(fork.timeoutMilliseconds)
                FROM \(tables.status) WHERE workflow_uuid = \(workflowID)
                ON CONFLICT (workflow_uuid) DO NOTHING
                RETURNING workflow_uuid
                """)
            if copied.isEmpty {
                // The new ID is taken: by this very fork when an earlier try committed and lost its
                // answer (or an identical fork made before), which is then done; else it is an error.
                let existing = try await executor.execute("SELECT forked_from FROM \(tables.status) WHERE workflow_uuid = \(newID)")
                guard let row = existing.first else { throw DBOSError.nonexistentWorkflow(workflowID: workflowID) }
                if try row.decode("forked_from", as: String?.self) == workflowID { return }
                throw DBOSError(.conflictingWorkflow, "workflow ID '\(newID)' is taken by another workflow: a fork of '\(workflowID)' needs an ID of its own",
                                workflowID: newID)
            }
            _ = try await executor.execute("""
                INSERT INTO \(tables.inputs) (workflow_uuid, inputs, retention_timestamp)
                SELECT \(newID), COALESCE(wi.inputs, ws.inputs), \(now) FROM \(tables.status) ws
                LEFT JOIN \(tables.inputs) wi ON wi.workflow_uuid = ws.workflow_uuid WHERE ws.workflow_uuid = \(workflowID)
                """)
            _ = try await executor.execute("UPDATE \(tables.status) SET was_forked_from = \(true) WHERE workflow_uuid = \(workflowID)")
            _ = try await executor.execute("""
                INSERT INTO \(tables.operations) (workflow_uuid, function_id, function_name, output, error, child_workflow_id,
                    started_at_epoch_ms, completed_at_epoch_ms, serialization, application_name)
                SELECT \(newID), function_id, function_name, output, error, child_workflow_id, started_at_epoch_ms,
                    completed_at_epoch_ms, serialization, application_name
                FROM \(tables.operations) WHERE workflow_uuid = \(workflowID) AND function_id < \(startStep)
                """)
            _ = try await executor.execute("""
                INSERT INTO \(tables.eventHistory) (workflow_uuid, function_id, key, value, serialization)
                SELECT \(newID), function_id, key, value, serialization FROM \(tables.eventHistory)
                WHERE workflow_uuid = \(workflowID) AND function_id < \(startStep)
                """)
            // The latest value of each event as of the fork point.
            _ = try await executor.execute("""
                INSERT INTO \(tables.events) (workflow_uuid, key, value, serialization)
                SELECT h.workflow_uuid, h.key, h.value, h.serialization FROM \(tables.eventHistory) h
                WHERE h.workflow_uuid = \(newID) AND h.function_id = (
                    SELECT MAX(h2.function_id) FROM \(tables.eventHistory) h2 WHERE h2.workflow_uuid = h.workflow_uuid AND h2.key = h.key)
                """)
            _ = try await executor.execute("""
                INSERT INTO \(tables.streams) (workflow_uuid, key, value, "offset", function_id, serialization)
                SELECT \(newID), key, value, "offset", function_id, serialization FROM \(tables.streams)
                WHERE workflow_uuid = \(workflowID) AND function_id < \(startStep)
                """)
        }
        await notifyQueue(fork.queueName)
    }

    func delete(workflowIDs: [String], includeChildren: Bool) async throws -> [String] {
        let ids = try await withDescendants(workflowIDs, includeChildren: includeChildren)
        let tables = self.tables
        let selected = dialect.values(ids)
        return try await driver.transaction { executor in
            for table in [tables.operations, tables.inputs, tables.outputs] {
                _ = try await executor.execute("DELETE FROM \(table) WHERE workflow_uuid IN (\(selected))")
            }
            return try await executor.execute("DELETE FROM \(tables.status) WHERE workflow_uuid IN (\(selected)) RETURNING workflow_uuid")
                .map { try $0.decode("workflow_uuid") }
        }
    }

    /// Deletes every DBOS table (with a schema of its own, the whole schema) and creates them again.
    func reset() async throws -> MigrationReport {
        for statement in dialect.schema.dropAll {
            _ = try await driver.write(statement)
        }
        return try await migrate()
    }
}
