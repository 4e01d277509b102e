import Foundation

/// Messages, events and streams on the DBOS tables.
extension SQLSystemDatabase {
    /// Messages per statement: six binds each, well under either backend's bind limit.
    private static let messagesPerStatement = 500

    /// Inserts `messages` (a duplicate UUID is skipped), in statements of up to
    /// ``messagesPerStatement`` rows. A destination that does not exist fails the whole send
    /// with ``DBOSError/Code/nonexistentWorkflow`` naming it.
    private func insertMessages(_ messages: [OutgoingMessage], _ execute: (SQLQuery) async throws -> [SQLRow]) async throws {
        for start in stride(from: 0, to: messages.count, by: Self.messagesPerStatement) {
            let rows = messages[start..<min(start + Self.messagesPerStatement, messages.count)].map { message -> SQLQuery in
                "(\(message.messageUUID), \(message.destination), \(message.topic), \(message.message), \(message.createdAt), \(message.serialization))"
            }
            do {
                _ = try await execute("""
                    INSERT INTO \(tables.notifications) (message_uuid, destination_uuid, topic, message, created_at_epoch_ms, serialization)
                    VALUES \(SQLQuery.joined(rows, separator: ", "))
                    ON CONFLICT (message_uuid) DO NOTHING
                    """)
            } catch where error.isForeignKeyViolation {
                throw DBOSError.nonexistentWorkflow(workflowID: try await missingDestination(of: messages) ?? messages[start].destination)
            }
        }
    }

    /// The first destination of `messages` with no workflow (read after a failed insert).
    private func missingDestination(of messages: [OutgoingMessage]) async throws -> String? {
        let destinations = messages.map(\.destination)
        if Set(destinations).count == 1 { return destinations.first }
        let existing = try await existingWorkflowIDs(Array(Set(destinations)))
        return destinations.first { !existing.contains($0) }
    }

    func send(_ messages: [OutgoingMessage]) async throws {
        if messages.count == 1 {
            try await insertMessages(messages, driver.write)
        } else if !messages.isEmpty {
            try await driver.transaction { executor in try await self.insertMessages(messages, executor.execute) }
        }
    }

    func send(_ messages: [OutgoingMessage], as operation: StepRecord, ownerXID: String) async throws -> OperationWrite<Void> {
        try await driver.transaction { executor in
            try await self.record(operation, ownerXID: ownerXID, executor) { try await self.insertMessages(messages, executor.execute) }
        }
    }

    func consumeMessage(workflowID: String, topic: String, as operation: StepRecord, ownerXID: String,
                        readableFormat: String, unreadable: @escaping @Sendable (_ format: String, _ messageUUID: String) throws -> String)
        async throws -> OperationWrite<StepRecord>? {
        let tries = TryCounter()
        return try await driver.transaction { executor in
            let retried = tries.next() > 1
            let oldest = try await executor.execute("""
                SELECT message_uuid, message, serialization FROM \(self.tables.notifications)
                WHERE destination_uuid = \(workflowID) AND topic = \(topic) AND consumed = \(false)
                ORDER BY \(self.dialect.messageOrder) LIMIT 1\(self.dialect.skipLocked)
                """)
            guard let next = oldest.first else {
                // An earlier try of this call may have consumed its message and committed
                // without its answer arriving (a lost connection, an abandoned attempt): its
                // record is then the outcome, not a wait for a message that will not come.
                guard retried else { return nil }
                let earlier = try await executor.execute(self.stepQuery(workflowID: workflowID, functionID: operation.functionID))
                return try earlier.first.map { .alreadyRecorded(try StepRecord(row: $0)) }
            }
            let serialization: String? = try next.decode("serialization")
            let messageUUID: String = try next.decode("message_uuid")
            var received = operation
            received.completedAt = self.clock.now
            if let serialization, serialization != readableFormat {
                // A message this library cannot decode is consumed with its error recorded as
                // this receive's outcome (the error names its format and ID): the receive fails,
                // now and on replay, and the messages behind it are not blocked.
                received.error = try unreadable(serialization, messageUUID)
                received.serialization = readableFormat
            } else {
                received.output = try next.decode("message")
                received.serialization = serialization
            }
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

    func unconsumedMessageTopics(destinations: Set<String>) async throws -> [(workflowID: String, topic: String)] {
        try await driver.read("""
            SELECT DISTINCT destination_uuid, topic FROM \(tables.notifications)
            WHERE consumed = \(false) AND destination_uuid IN (\(dialect.values(destinations)))
            """).map { (try $0.decode("destination_uuid"), try $0.decode("topic")) }
    }

    func eventKeys(workflowIDs: Set<String>) async throws -> [(workflowID: String, key: String)] {
        try await driver.read("""
            SELECT workflow_uuid, key FROM \(tables.events) WHERE workflow_uuid IN (\(dialect.values(workflowIDs)))
            """).map { (try $0.decode("workflow_uuid"), try $0.decode("key")) }
    }

    func getEvent(workflowID: String, key: String) async throws -> StoredValue? {
        try await driver.read(
            "SELECT value, serialization FROM \(tables.events) WHERE workflow_uuid = \(workflowID) AND key = \(key)"
        ).first.map { StoredValue(value: try $0.decode("value"), serialization: try $0.decode("serialization")) }
    }

    /// Appends at the stream's next offset (function ID 0 outside an operation) and notifies readers.
    /// Appends at the next free offset. Concurrent writers of one stream can read the same last
    /// offset (PostgreSQL); the loser's insert then violates the key and is tried again, as DBOS does.
    private func appendingStreamEntry<Value: Sendable>(_ entry: StoredValueWrite,
                                                      _ body: @escaping @Sendable () async throws -> Value) async throws -> Value {
        while true {
            do {
                return try await body()
            } catch where error.isUniqueViolation {
                try await Task.sleep(for: .milliseconds(Int.random(in: 5...50)))
            }
        }
    }

    /// The insert of a stream value at the next free offset, when `ownerXID` (if given) owns the workflow.
    private func streamInsert(_ entry: StoredValueWrite, functionID: Int, ownerXID: String?) -> SQLQuery {
        let owned: SQLQuery = ownerXID.map {
            " WHERE EXISTS (SELECT 1 FROM \(tables.status) WHERE workflow_uuid = \(entry.workflowID) AND owner_xid = \($0))"
        } ?? ""
        return """
            INSERT INTO \(tables.streams) (workflow_uuid, key, value, "offset", function_id, serialization)
            SELECT \(entry.workflowID), \(entry.key), \(entry.value), next, \(functionID), \(entry.serialization)
            FROM (SELECT COALESCE(MAX("offset") + 1, 0) AS next FROM \(tables.streams)
                  WHERE workflow_uuid = \(entry.workflowID) AND key = \(entry.key)) n\(owned)
            RETURNING "offset"
            """
    }

    private func notifyStream(_ entry: StoredValueWrite, _ executor: any SQLExecutor) async throws {
        if let notify = dialect.notify(.streams, "\(entry.workflowID)::\(entry.key)") { _ = try await executor.execute(notify) }
    }

    func appendStream(_ entry: StoredValueWrite, as operation: StepRecord, ownerXID: String) async throws -> OperationWrite<Void> {
        try await appendingStreamEntry(entry) {
            try await self.driver.transaction { executor in
                try await self.record(operation, ownerXID: ownerXID, executor) {
                    _ = try await executor.execute(self.streamInsert(entry, functionID: operation.functionID, ownerXID: nil))
                    try await self.notifyStream(entry, executor)
                }
            }
        }
    }

    func appendStream(_ entry: StoredValueWrite, fromStep functionID: Int, ownerXID: String) async throws -> OperationWrite<Void> {
        try await appendingStreamEntry(entry) {
            try await self.driver.transaction { executor in
                guard try await !executor.execute(self.streamInsert(entry, functionID: functionID, ownerXID: ownerXID)).isEmpty else {
                    let status = try await executor.execute("SELECT status FROM \(self.tables.status) WHERE workflow_uuid = \(entry.workflowID)")
                    return .notOwner(status: try status.first.map { WorkflowState(rawValue: try $0.decode("status")) })
                }
                try await self.notifyStream(entry, executor)
                return .recorded(())
            }
        }
    }

    func readStream(workflowID: String, key: String, fromOffset: Int, limit: Int?) async throws -> [StreamEntry] {
        let limited: SQLQuery = limit.map { " LIMIT \($0)" } ?? ""
        return try await driver.read("""
            SELECT "offset", value, serialization FROM \(tables.streams)
            WHERE workflow_uuid = \(workflowID) AND key = \(key) AND "offset" >= \(fromOffset) ORDER BY "offset"\(limited)
            """).map { StreamEntry(offset: try $0.decode("offset"), value: try $0.decode("value"), serialization: try $0.decode("serialization")) }
    }

    func events(workflowID: String) async throws -> [(key: String, value: StoredValue)] {
        try await driver.read("""
            SELECT key, value, serialization FROM \(tables.events) WHERE workflow_uuid = \(workflowID) ORDER BY key
            """).map { (try $0.decode("key"), StoredValue(value: try $0.decode("value"), serialization: try $0.decode("serialization"))) }
    }

    func streams(workflowID: String, limit: Int, closedMarker: String) async throws -> [(key: String, count: Int, closed: Bool, first: [StreamEntry])] {
        var streams: [(key: String, count: Int, closed: Bool, first: [StreamEntry])] = []
        for row in try await driver.read("""
            SELECT key, count(*) AS entries, SUM(CASE WHEN value = \(closedMarker) THEN 1 ELSE 0 END) AS markers
            FROM \(tables.streams) WHERE workflow_uuid = \(workflowID) GROUP BY key ORDER BY key
            """) {
            let key: String = try row.decode("key")
            let first = try await readStream(workflowID: workflowID, key: key, fromOffset: 0, limit: limit)
            let markers: Int = try row.decode("markers")
            streams.append((key, try row.decode("entries") - markers, markers > 0, first.filter { $0.value != closedMarker }))
        }
        return streams
    }
}
