import Foundation

/// The value DBOS writes to mark a stream closed.
let streamClosedSentinel = "\"__DBOS_STREAM_CLOSED__\""

extension DBOS {
    /// Appends `value` to the current workflow's stream `key`. From the workflow body the write
    /// is checkpointed (a replay does not append again); from inside a step it belongs to the
    /// step, which may run again if it is interrupted before completing.
    public static func writeStream<Value: Encodable & Sendable>(_ key: String, _ value: Value) async throws {
        try await appendToStream(key, try PortableJSON.encode(value), operation: "DBOS.writeStream")
    }

    /// Closes the current workflow's stream `key`: readers finish after the values before it.
    public static func closeStream(_ key: String) async throws {
        try await appendToStream(key, streamClosedSentinel, operation: "DBOS.closeStream")
    }

    private static func appendToStream(_ key: String, _ text: String, operation: String) async throws {
        guard let context = WorkflowContext.current else { throw DBOSError.outsideWorkflow(operation: operation) }
        let runtime = context.runtime
        let database = runtime.systemDatabase
        if WorkflowContext.insideStep {
            try await database.writeStream(workflowID: context.workflowID, key: key, value: text, functionID: 0, step: nil, ownerXID: nil)
        } else {
            try context.checkRunnable()
            let functionID = context.nextFunctionID()
            if try context.recorded(functionID, expecting: operation) != nil { return }
            let now = Date()
            let step = StepRecord(workflowID: context.workflowID, functionID: functionID, functionName: operation,
                                  startedAt: now, completedAt: now, serialization: nil)
            _ = try await context.recordWithEffect(step) {
                try await database.writeStream(workflowID: context.workflowID, key: key, value: text,
                                               functionID: functionID, step: step, ownerXID: context.ownerXID)
            }
        }
        runtime.hub.signal(WakeupHub.key(.streams, "\(context.workflowID)::\(key)"))
    }

    /// The values of workflow `workflowID`'s stream `key`, in order, as they are written.
    /// The sequence finishes when the stream is closed, or when the workflow has ended and
    /// every value has been read.
    public func readStream<Value: Decodable & Sendable>(
        _ workflowID: String, _ key: String, as type: Value.Type = Value.self
    ) -> AsyncThrowingStream<Value, any Error> {
        let waitKey = WakeupHub.key(.streams, "\(workflowID)::\(key)")
        let what = "stream '\(key)' of workflow '\(workflowID)'"
        return AsyncThrowingStream { continuation in
            let task = Task {
                var offset = 0
                do {
                    reading: while true {
                        // Read the status first: values written before the workflow ended are all visible then.
                        let ended = try await self.systemDatabase.workflowStatus(workflowID: workflowID).map { !($0.state?.isActive ?? true) } ?? false
                        let rows = try await self.systemDatabase.readStream(workflowID: workflowID, key: key, fromOffset: offset)
                        for row in rows {
                            if row.value == streamClosedSentinel { break reading }
                            try Payload.requirePortable(row.serialization, what: what)
                            continuation.yield(try PortableJSON.decode(Value.self, from: row.value, what: what))
                            offset = row.offset + 1
                        }
                        if rows.isEmpty && ended { break reading }
                        if !rows.isEmpty { continue }
                        _ = try await self.waitFor(waitKey, until: Date().timeIntervalSince1970 + self.systemDatabase.fallbackPollInterval.seconds) {
                            () async throws -> Bool? in
                            let next = try await self.systemDatabase.readStream(workflowID: workflowID, key: key, fromOffset: offset)
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
