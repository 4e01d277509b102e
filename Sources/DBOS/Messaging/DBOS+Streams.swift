import Foundation

/// The value DBOS writes to mark a stream closed.
let streamClosedSentinel = "\"__DBOS_STREAM_CLOSED__\""

extension DBOS {
    /// Appends `value` to the current workflow's stream `key`. From the workflow body the write
    /// is checkpointed (a replay does not append again); from inside a step it belongs to the
    /// step: it may be written again if the step is interrupted before completing, and a fork
    /// from that step or an earlier one does not copy it (the fork's run of the step writes it).
    /// Either way the write is refused once this execution no longer owns the workflow
    /// (cancelled, or resumed elsewhere).
    public static func write<Value: Encodable & Sendable>(_ value: Value, toStream key: String) async throws {
        try await appendToStream(key, try PortableJSON.encode(value), operation: "DBOS.writeStream")
    }

    /// Closes the current workflow's stream `key`: readers finish after the values before it.
    public static func closeStream(_ key: String) async throws {
        try await appendToStream(key, streamClosedSentinel, operation: "DBOS.closeStream")
    }

    /// Appends to a stream; see ``write(_:toStream:)``.
    @available(*, deprecated, renamed: "write(_:toStream:)")
    public static func writeStream<Value: Encodable & Sendable>(_ key: String, _ value: Value) async throws {
        try await write(value, toStream: key)
    }

    private static func appendToStream(_ key: String, _ text: String, operation name: String) async throws {
        guard let current = WorkflowContext.current else { throw DBOSError.outsideWorkflow(operation: name) }
        let entry = StoredValueWrite(workflowID: current.workflowID, key: key, value: text, serialization: PortableJSON.formatName)
        if let context = WorkflowContext.forOperation() {
            try await context.operation(name, replay: { _ in }) { operation in
                let write = try await operation.systemDatabase.appendStream(entry, as: operation.record(serialization: nil),
                                                                            ownerXID: operation.ownerXID)
                try operation.resolve(write) { _ in }
            }
        } else if let step = WorkflowContext.currentStep?.functionID {
            let write = try await current.runtime.systemDatabase.appendStream(entry, fromStep: step, ownerXID: current.ownerXID)
            if case .notOwner(let status) = write { throw current.lostOwnership(status: status) }
        } else {
            throw DBOSError.outsideWorkflow(operation: name)
        }
        current.runtime.hub.signal(WakeupHub.key(.streams, current.workflowID, key))
    }

    /// The values of workflow `workflowID`'s stream `key`, in order, as they are written,
    /// starting at `offset` (0, the first value, by default; a reader that reconnects passes
    /// the number of values it has). The sequence finishes when the stream is closed, or when
    /// the workflow has ended and every value has been read. It throws
    /// ``DBOSError/Code/nonexistentWorkflow`` when no workflow has that ID, and
    /// ``DBOSError/Code/invalidArgument`` for a negative offset.
    public func stream<Value: Decodable & Sendable>(
        _ key: String, of workflowID: String, as type: Value.Type = Value.self, from offset: Int = 0
    ) -> AsyncThrowingStream<Value, any Error> {
        service.stream(key, of: workflowID, as: type, from: offset)
    }

    /// Reads a stream; see ``stream(_:of:as:from:)``.
    @available(*, deprecated, renamed: "stream(_:of:as:from:)")
    public func readStream<Value: Decodable & Sendable>(
        _ workflowID: String, _ key: String, as type: Value.Type = Value.self
    ) -> AsyncThrowingStream<Value, any Error> {
        stream(key, of: workflowID, as: type)
    }
}

extension WorkflowService {
    /// A stream's values as they are written, from offset `start` (see ``DBOS/stream(_:of:as:from:)``).
    func stream<Value: Decodable & Sendable>(_ key: String, of workflowID: String, as type: Value.Type, from start: Int)
        -> AsyncThrowingStream<Value, any Error> {
        let what = "stream '\(key)' of workflow '\(workflowID)'"
        return AsyncThrowingStream { continuation in
            let task = Task {
                var offset = start
                do {
                    guard start >= 0 else { throw DBOSError.invalidArgument("a stream offset must not be negative, not \(start)") }
                    reading: while true {
                        // Read the status first: values written before the workflow ended are all visible
                        // then. A workflow that does not exist has nothing to wait for (as in DBOS).
                        guard let status = try await self.status(workflowID) else {
                            throw DBOSError.nonexistentWorkflow(workflowID: workflowID)
                        }
                        let ended = !status.state.isActive
                        let entries = try await self.systemDatabase.readStream(workflowID: workflowID, key: key, fromOffset: offset, limit: nil)
                        for entry in entries {
                            if entry.value == streamClosedSentinel { break reading }
                            continuation.yield(try PortableJSON.decode(Value.self, from: entry.value, serialization: entry.serialization, what: what))
                            offset = entry.offset + 1
                        }
                        if entries.isEmpty && ended { break reading }
                        if !entries.isEmpty { continue }
                        let recheck = Date().timeIntervalSince1970 + self.systemDatabase.fallbackPollInterval.seconds
                        _ = try await self.waitFor(.streams, of: workflowID, name: key, until: recheck) { () async throws -> Bool? in
                            let next = try await self.systemDatabase.readStream(workflowID: workflowID, key: key, fromOffset: offset, limit: nil)
                            return next.isEmpty ? nil : true
                        }
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
