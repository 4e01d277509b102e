/// Debouncing on DBOS 3.4's rows (see `WorkflowService.debounce`).
extension SQLSystemDatabase {
    func bounce(_ bounce: DebounceBounce) async throws -> DebounceOutcome {
        let tables = self.tables
        let now = clock.nowMilliseconds
        return try await driver.transaction { executor in
            let delay = bounce.delayUntilEpochMilliseconds
            let extended = try await executor.execute("""
                UPDATE \(tables.status) SET updated_at = \(now), serialization = \(bounce.serialization),
                    delay_until_epoch_ms = CASE WHEN debounce_deadline_epoch_ms IS NOT NULL AND debounce_deadline_epoch_ms < \(delay)
                                                THEN debounce_deadline_epoch_ms ELSE \(delay) END
                WHERE name = \(bounce.workflowName) AND queue_name = \(bounce.queueName) AND deduplication_id = \(bounce.deduplicationID)
                  AND status = 'DELAYED' AND is_debounced = \(true)
                RETURNING workflow_uuid
                """)
            if let row = extended.first {
                let workflowID: String = try row.decode("workflow_uuid")
                _ = try await executor.execute("""
                    INSERT INTO \(tables.inputs) (workflow_uuid, inputs, retention_timestamp) VALUES (\(workflowID), \(bounce.inputs), \(now))
                    ON CONFLICT (workflow_uuid) DO UPDATE SET inputs = excluded.inputs
                    """)
                return .extended(workflowID: workflowID)
            }
            let holder = try await executor.execute("""
                SELECT workflow_uuid, is_debounced, name FROM \(tables.status)
                WHERE queue_name = \(bounce.queueName) AND deduplication_id = \(bounce.deduplicationID)
                """)
            guard let row = holder.first else { return .free }
            return .held(workflowID: try row.decode("workflow_uuid"), isDebounced: try row.decode("is_debounced", as: Bool.self),
                         name: try row.decode("name"))
        }
    }
}
