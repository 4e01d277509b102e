import Foundation

/// Messages, events and streams on the DBOS tables.
extension SQLSystemDatabase {
    private var notifications: String { driver.dialect.table("notifications") }
    private var events: String { driver.dialect.table("workflow_events") }
    private var eventHistory: String { driver.dialect.table("workflow_events_history") }
    private var streams: String { driver.dialect.table("streams") }

    /// `NOTIFY` inside the writing transaction (delivered at commit); nothing on SQLite.
    private func notify(_ channel: WakeupHub.Channel, _ payload: String, _ executor: any SQLExecutor) async throws {
        guard driver.dialect.isPostgres else { return }
        _ = try await executor.execute(SQLStatement("SELECT pg_notify($1, $2)", [.text(channel.rawValue), .text(payload)]))
    }

    func send(_ message: OutgoingMessage, from sender: StepRecord?, ownerXID: String?) async throws {
        try await driver.transaction { executor in
            do {
                _ = try await executor.execute(SQLStatement("""
                    INSERT INTO \(self.notifications) (message_uuid, destination_uuid, topic, message, created_at_epoch_ms, serialization)
                    VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (message_uuid) DO NOTHING
                    """, [.text(message.messageUUID), .text(message.destination), .text(message.topic), .text(message.message),
                          .int(message.createdAt), .text(PortableJSON.formatName)]))
            } catch where error.isForeignKeyViolation {
                throw DBOSError.nonexistentWorkflow(workflowID: message.destination)
            }
            if let sender {
                try await self.recordInTransaction(sender, ownerXID: ownerXID, executor)
            }
        }
    }

    /// Consumes the oldest unconsumed message for (workflow, topic) and records it as the
    /// operation `step` in the same transaction. Returns nil (recording nothing) when there is none.
    func consumeMessage(workflowID: String, topic: String, step: StepRecord, ownerXID: String) async throws -> StepRecord? {
        let lock = driver.dialect.isPostgres ? " FOR UPDATE SKIP LOCKED" : ""
        let order = driver.dialect.isPostgres ? "created_at_epoch_ms, message_uuid" : "created_at_epoch_ms, rowid"
        return try await driver.transaction { executor in
            let oldest = try await executor.execute(SQLStatement("""
                SELECT message_uuid, serialization FROM \(self.notifications)
                WHERE destination_uuid = $1 AND topic = $2 AND consumed = $3
                ORDER BY \(order) LIMIT 1\(lock)
                """, [.text(workflowID), .text(topic), .bool(false)]))
            guard let next = oldest.first, let messageUUID = next.string("message_uuid") else { return nil }
            // A message this library cannot decode stays unconsumed: the error names its format.
            try Payload.requirePortable(next.string("serialization"),
                                        what: "message on topic '\(topic)' for workflow '\(workflowID)'")
            let rows = try await executor.execute(SQLStatement("""
                UPDATE \(self.notifications) SET consumed = $2, consumed_by_function_id = $3
                WHERE message_uuid = $1 RETURNING message, serialization
                """, [.text(messageUUID), .bool(true), .int(Int64(step.functionID))]))
            guard let row = rows.first else { return nil }
            var record = step
            record.output = row.string("message")
            record.serialization = row.string("serialization")
            record.completedAt = Date()
            try await self.recordInTransaction(record, ownerXID: ownerXID, executor)
            return record
        }
    }

    func setEvent(workflowID: String, key: String, value: String, step: StepRecord, ownerXID: String) async throws {
        try await driver.transaction { executor in
            _ = try await executor.execute(SQLStatement("""
                INSERT INTO \(self.events) (workflow_uuid, key, value, serialization) VALUES ($1, $2, $3, $4)
                ON CONFLICT (workflow_uuid, key) DO UPDATE SET value = excluded.value, serialization = excluded.serialization
                """, [.text(workflowID), .text(key), .text(value), .text(PortableJSON.formatName)]))
            _ = try await executor.execute(SQLStatement("""
                INSERT INTO \(self.eventHistory) (workflow_uuid, function_id, key, value, serialization) VALUES ($1, $2, $3, $4, $5)
                ON CONFLICT (workflow_uuid, function_id, key) DO UPDATE SET value = excluded.value, serialization = excluded.serialization
                """, [.text(workflowID), .int(Int64(step.functionID)), .text(key), .text(value), .text(PortableJSON.formatName)]))
            try await self.recordInTransaction(step, ownerXID: ownerXID, executor)
            try await self.notify(.events, "\(workflowID)::\(key)", executor)
        }
    }

    func getEvent(workflowID: String, key: String) async throws -> (value: String, serialization: String?)? {
        let rows = try await driver.read(SQLStatement(
            "SELECT value, serialization FROM \(events) WHERE workflow_uuid = $1 AND key = $2", [.text(workflowID), .text(key)]))
        return rows.first.map { ($0.string("value") ?? "null", $0.string("serialization")) }
    }

    /// Appends a value at the stream's next offset; with `step`, records that operation atomically.
    func writeStream(workflowID: String, key: String, value: String, functionID: Int, step: StepRecord?, ownerXID: String?) async throws {
        try await driver.transaction { executor in
            _ = try await executor.execute(SQLStatement("""
                INSERT INTO \(self.streams) (workflow_uuid, key, value, "offset", function_id, serialization)
                SELECT $1, $2, $3, COALESCE(MAX("offset") + 1, 0), $4, $5 FROM \(self.streams) WHERE workflow_uuid = $1 AND key = $2
                """, [.text(workflowID), .text(key), .text(value), .int(Int64(functionID)), .text(PortableJSON.formatName)]))
            if let step { try await self.recordInTransaction(step, ownerXID: ownerXID, executor) }
            try await self.notify(.streams, "\(workflowID)::\(key)", executor)
        }
    }

    func readStream(workflowID: String, key: String, fromOffset: Int) async throws -> [(offset: Int, value: String, serialization: String?)] {
        try await driver.read(SQLStatement("""
            SELECT "offset", value, serialization FROM \(streams) WHERE workflow_uuid = $1 AND key = $2 AND "offset" >= $3 ORDER BY "offset"
            """, [.text(workflowID), .text(key), .int(Int64(fromOffset))]))
            .map { (Int($0.int("offset") ?? 0), $0.string("value") ?? "null", $0.string("serialization")) }
    }

    /// Records an operation inside a transaction, failing the transaction when the workflow is
    /// no longer ours or the operation was already recorded (so its side effect is undone too).
    private func recordInTransaction(_ step: StepRecord, ownerXID: String?, _ executor: any SQLExecutor) async throws {
        let rows = try await executor.execute(stepInsert(step, ownerXID: ownerXID))
        if rows.isEmpty { throw StepNotRecorded() }
    }
}

/// Thrown inside a transaction whose operation record could not be written; callers re-read
/// the state to report why.
struct StepNotRecorded: Error {}

/// A message to insert into `notifications`.
struct OutgoingMessage: Sendable {
    var messageUUID: String
    var destination: String
    var topic: String
    var message: String
    var createdAt: Int64
}
