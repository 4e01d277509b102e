import Foundation

/// Finding and claiming unfinished workflows after a restart.
extension SQLSystemDatabase {
    func pendingWorkflows(executorID: String, applicationVersion: String) async throws -> [PendingWorkflow] {
        try await driver.read("""
            SELECT workflow_uuid, name, executor_id, owner_xid, queue_name FROM \(tables.status)
            WHERE status = 'PENDING' AND executor_id = \(executorID) AND application_version = \(applicationVersion)
            ORDER BY created_at
            """).map(PendingWorkflow.init(row:))
    }

    func pendingWorkflow(workflowID: String, executorID: String, applicationVersion: String) async throws -> PendingWorkflow? {
        try await driver.read("""
            SELECT workflow_uuid, name, executor_id, owner_xid, queue_name FROM \(tables.status)
            WHERE workflow_uuid = \(workflowID) AND status = 'PENDING' AND executor_id = \(executorID)
              AND application_version = \(applicationVersion)
            """).first.map(PendingWorkflow.init(row:))
    }

    func requeue(_ listed: PendingWorkflow) async throws -> Bool {
        try await !driver.write("""
            UPDATE \(tables.status) SET status = 'ENQUEUED', owner_xid = NULL, started_at_epoch_ms = NULL,
                updated_at = \(clock.nowMilliseconds)
            WHERE workflow_uuid = \(listed.id) AND status = 'PENDING' AND queue_name IS NOT NULL
              AND COALESCE(executor_id, '') = \(listed.executorID ?? "") AND COALESCE(owner_xid, '') = \(listed.ownerXID ?? "")
            RETURNING workflow_uuid
            """).isEmpty
    }

    func claimForRecovery(_ listed: PendingWorkflow, ownerXID: String, maxAttempts: Int?) async throws -> RecoveryClaim {
        let now = clock.nowMilliseconds
        let workflowID = listed.id
        return try await driver.transaction { executor in
            var claimed = try await executor.execute("""
                UPDATE \(self.tables.status) SET owner_xid = \(ownerXID), recovery_attempts = recovery_attempts + 1, updated_at = \(now)
                WHERE workflow_uuid = \(workflowID) AND status = 'PENDING' AND COALESCE(executor_id, '') = \(listed.executorID ?? "")
                  AND COALESCE(owner_xid, '') = \(listed.ownerXID ?? "")
                RETURNING recovery_attempts, workflow_deadline_epoch_ms, CAST(attributes AS TEXT) AS attributes
                """)
            if claimed.isEmpty {
                // A retry of this claim whose first try committed but lost its answer (the
                // connection dropped, or the watchdog abandoned it) finds the row already
                // ours: that is a claim, not a row that moved on, or nobody would run it.
                claimed = try await executor.execute("""
                    SELECT recovery_attempts, workflow_deadline_epoch_ms, CAST(attributes AS TEXT) AS attributes
                    FROM \(self.tables.status) WHERE workflow_uuid = \(workflowID) AND status = 'PENDING' AND owner_xid = \(ownerXID)
                    """)
            }
            guard let row = claimed.first else { return .notPending }
            let attempts: Int = try row.decode("recovery_attempts")
            if let maxAttempts, attempts > maxAttempts + 1 {
                _ = try await executor.execute(self.deadLetterStatement(workflowID: workflowID, attempts: attempts))
                return .exceeded(attempts: attempts - 1)
            }
            let input = try await executor.execute("""
                SELECT COALESCE(wi.inputs, ws.inputs) AS inputs FROM \(self.tables.status) ws
                LEFT JOIN \(self.tables.inputs) wi ON wi.workflow_uuid = ws.workflow_uuid WHERE ws.workflow_uuid = \(workflowID)
                """)
            return .claimed(inputs: try input.first?.decode("inputs", as: String?.self),
                            deadlineEpochMilliseconds: try row.decode("workflow_deadline_epoch_ms"),
                            attempts: attempts, attributes: try row.decode("attributes"))
        }
    }

    func deadLetter(workflowID: String, attempts: Int) async throws {
        _ = try await driver.write(deadLetterStatement(workflowID: workflowID, attempts: attempts))
    }

    /// Moves a PENDING workflow that used up its recovery attempts off its queue, to
    /// MAX_RECOVERY_ATTEMPTS_EXCEEDED. Guarded on the attempt count the decision was read
    /// from: a row moved on since, or given a fresh budget by a resume, is left alone.
    private func deadLetterStatement(workflowID: String, attempts: Int) -> SQLQuery {
        let now = clock.nowMilliseconds
        return """
            UPDATE \(tables.status) SET status = 'MAX_RECOVERY_ATTEMPTS_EXCEEDED', owner_xid = NULL,
                deduplication_id = NULL, queue_name = NULL, started_at_epoch_ms = NULL, updated_at = \(now), completed_at = \(now)
            WHERE workflow_uuid = \(workflowID) AND status = 'PENDING' AND recovery_attempts >= \(attempts)
            """
    }
}
