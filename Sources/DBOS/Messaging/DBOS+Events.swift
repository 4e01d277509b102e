import Foundation

extension DBOS {
    /// Publishes `value` under `key` for the current workflow (latest value wins; every value
    /// is kept in `workflow_events_history`). Checkpointed: a replay does not publish again.
    public static func setEvent<Value: Encodable & Sendable>(_ key: String, _ value: Value) async throws {
        guard let context = WorkflowContext.current, !WorkflowContext.insideStep else {
            throw DBOSError.outsideWorkflow(operation: "DBOS.setEvent")
        }
        try context.checkRunnable()
        let functionID = context.nextFunctionID()
        let name = "DBOS.setEvent"
        if try context.recorded(functionID, expecting: name) != nil { return }
        let text = try PortableJSON.encode(value)
        let now = Date()
        let step = StepRecord(workflowID: context.workflowID, functionID: functionID, functionName: name,
                              startedAt: now, completedAt: now, serialization: nil)
        let runtime = context.runtime
        _ = try await context.recordWithEffect(step) {
            try await runtime.systemDatabase.setEvent(workflowID: context.workflowID, key: key, value: text,
                                                      step: step, ownerXID: context.ownerXID)
        }
        runtime.hub.signal(WakeupHub.key(.events, "\(context.workflowID)::\(key)"))
    }

    /// Waits up to `timeout` for workflow `workflowID` to set event `key` and returns its latest
    /// value, or nil on timeout. Inside a workflow the result is checkpointed.
    public func getEvent<Value: Codable & Sendable>(
        _ workflowID: String, _ key: String, as type: Value.Type = Value.self, timeout: Duration = .seconds(60)
    ) async throws -> Value? {
        let what = "event '\(key)' of workflow '\(workflowID)'"
        let waitKey = WakeupHub.key(.events, "\(workflowID)::\(key)")
        guard let context = WorkflowContext.current, context.runtime === self, !WorkflowContext.insideStep else {
            let deadline = Date().timeIntervalSince1970 + timeout.seconds
            guard let stored = try await waitFor(waitKey, until: deadline, { try await systemDatabase.getEvent(workflowID: workflowID, key: key) })
            else { return nil }
            try Payload.requirePortable(stored.serialization, what: what)
            return try PortableJSON.decode(Value.self, from: stored.value, what: what)
        }
        try context.checkRunnable()
        let functionID = context.nextFunctionID()
        let timeoutID = context.nextFunctionID()
        let name = "DBOS.getEvent"
        if let record = try context.recorded(functionID, expecting: name) {
            return try context.replay(record, as: Value?.self)
        }
        let started = Date()
        let deadline = try await context.durableDeadline(functionID: timeoutID, timeout: timeout)
        let stored = try await waitFor(waitKey, until: deadline) { try await systemDatabase.getEvent(workflowID: workflowID, key: key) }
        if let stored { try Payload.requirePortable(stored.serialization, what: what) }
        let record = try await context.record(StepRecord(
            workflowID: context.workflowID, functionID: functionID, functionName: name,
            output: stored?.value ?? "null", startedAt: started, completedAt: Date()))
        return try context.replay(record, as: Value?.self)
    }

    /// ``getEvent(_:_:as:timeout:)`` on the current workflow's runtime, or outside a workflow on
    /// the single launched runtime.
    public static func getEvent<Value: Codable & Sendable>(
        _ workflowID: String, _ key: String, as type: Value.Type = Value.self, timeout: Duration = .seconds(60)
    ) async throws -> Value? {
        try await (currentRuntime ?? launchedRuntime()).getEvent(workflowID, key, as: type, timeout: timeout)
    }
}
