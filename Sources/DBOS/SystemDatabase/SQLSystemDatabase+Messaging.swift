import Foundation

/// Messages, events and streams on the DBOS tables.
extension SQLSystemDatabase {
    private func insertMessage(_ message: OutgoingMessage, _ execute: (SQLQuery) async throws -> [SQLRow]) async throws {
        do {
            _ = try await execute("""
                INSERT INTO \(tables.notifications) (message_uuid, destination_uuid, topic, message, created_at_epoch_ms, serialization)
                VALUES (\(message.messageUUID), \(message.destination), \(message.topic), \(message.message), \(message.createdAt),
                        \(message.serialization))
                ON CONFLICT (message_uuid) DO NOTHING
                """)
        } catch where error.isForeignKeyViolation {
            throw DBOSError.nonexistentWorkflow(workflowID: message.destination)
        }
    }

    func send(_ message: OutgoingMessage) async throws {
        try await insertMessage(message, driver.write)
    }

    func send(_ message: OutgoingMessage, as operation: StepRecord, ownerXID: String) async throws -> OperationWrite<Void> {
        try await driver.transaction { executor in
            try await self.record(operation, ownerXID: ownerXID, executor) { try await self.insertMessage(message, executor.execute) }
        }
    }

    func consumeMessage(workflowID: String, topic: String, as operation: StepRecord, ownerXID: String,
                        readableFormat: String) async throws -> OperationWrite<StepRecord>? {
        try await driver.transaction { executor in
            let oldest = try await executor.execute("""
                SELECT message_uuid, message, serialization FROM \(self.tables.notifications)
                WHERE destination_uuid = \(workflowID) AND topic = \(topic) AND consumed = \(false)
                ORDER BY \(self.dialect.messageOrder) LIMIT 1\(self.dialect.skipLocked)
                """)
            guard let next = oldest.first else { return nil }
            let serialization: String? = try next.decode("serialization")
            // A message this library cannot decode stays unconsumed: the error names its format.
            if let serialization, serialization != readableFormat {
                throw DBOSError.unsupportedSerialization(format: serialization, what: "message on topic '\(topic)' for workflow '\(workflowID)'")
            }
            var received = operation
            received.output = try next.decode("message")
            received.serialization = serialization
            received.completedAt = Date()
            let messageUUID: String = try next.decode("message_uuid")
            return try await self.record(received, ownerXID: ownerXID, executor) {
                _ = try await executor.execute("""
                    UPDATE \(self.tables.notifications) SET consumed = \(true), consumed_by_function_id = \(operation.functionID)
                    WHERE message_uuid = \(messageUUID)
                    """)
                return received
            }
        }
    }

    func setEvent(_ event: StoredValueWrite, as operation: StepRecord, ownerXID: String) async throws -> OperationWrite<Void> {
        let notify = dialect.notify(.events, "\(event.workflowID)::\(event.key)")
        return try await driver.transaction { executor in
            try await self.record(operation, ownerXID: ownerXID, executor) {
                _ = try await executor.execute("""
                    INSERT INTO \(self.tables.events) (workflow_uuid, key, value, serialization)
                    VALUES (\(event.workflowID), \(event.key), \(event.value), \(event.serialization))
                    ON CONFLICT (workflow_uuid, key) DO UPDATE SET value = excluded.value, serialization = excluded.serialization
                    """)
                _ = try await executor.execute("""
                    INSERT INTO \(self.tables.eventHistory) (workflow_uuid, function_id, key, value, serialization)
                    VALUES (\(event.workflowID), \(operation.functionID), \(event.key), \(event.value), \(event.serialization))
                    ON CONFLICT (workflow_uuid, function_id, key) DO UPDATE SET value = excluded.value, serialization = excluded.serialization
                    """)
                if let notify { _ = try await executor.execute(notify) }
            }
        }
    }

    func getEvent(workflowID: String, key: String) async throws -> StoredValue? {
        try await driver.read(
            "SELECT value, serialization FROM \(tables.events) WHERE workflow_uuid = \(workflowID) AND key = \(key)"
        ).first.map { StoredValue(value: try $0.decode("value"), serialization: try $0.decode("serialization")) }
    }

    /// Appends at the stream's next offset (function ID 0 outside an operation) and notifies readers.
    private func insertStreamEntry(_ entry: StoredValueWrite, functionID: Int, _ executor: any SQLExecutor) async throws {
        _ = try await executor.execute("""
            INSERT INTO \(tables.streams) (workflow_uuid, key, value, "offset", function_id, serialization)
            SELECT \(entry.workflowID), \(entry.key), \(entry.value), COALESCE(MAX("offset") + 1, 0), \(functionID), \(entry.serialization)
            FROM \(tables.streams) WHERE workflow_uuid = \(entry.workflowID) AND key = \(entry.key)
            """)
        if let notify = dialect.notify(.streams, "\(entry.workflowID)::\(entry.key)") { _ = try await executor.execute(notify) }
    }

    func appendStream(_ entry: StoredValueWrite) async throws {
        try await driver.transaction { executor in try await self.insertStreamEntry(entry, functionID: 0, executor) }
    }

    func appendStream(_ entry: StoredValueWrite, as operation: StepRecord, ownerXID: String) async throws -> OperationWrite<Void> {
        try await driver.transaction { executor in
            try await self.record(operation, ownerXID: ownerXID, executor) {
                try await self.insertStreamEntry(entry, functionID: operation.functionID, executor)
            }
        }
    }

    func readStream(workflowID: String, key: String, fromOffset: Int) async throws -> [StreamEntry] {
        try await driver.read("""
            SELECT "offset", value, serialization FROM \(tables.streams)
            WHERE workflow_uuid = \(workflowID) AND key = \(key) AND "offset" >= \(fromOffset) ORDER BY "offset"
            """).map { StreamEntry(offset: try $0.decode("offset"), value: try $0.decode("value"), serialization: try $0.decode("serialization")) }
    }
}
