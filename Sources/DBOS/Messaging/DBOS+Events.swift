import Foundation

extension DBOS {
    /// Publishes `value` under `key` for the current workflow (latest value wins; every value
    /// is kept in `workflow_events_history`). Checkpointed: a replay does not publish again.
    public static func setEvent<Value: Encodable & Sendable>(_ key: String, to value: Value) async throws {
        guard let context = WorkflowContext.forOperation() else { throw DBOSError.outsideWorkflow(operation: "DBOS.setEvent") }
        let event = StoredValueWrite(workflowID: context.workflowID, key: key, value: try PortableJSON.encode(value),
                                     serialization: PortableJSON.formatName)
        try await context.operation("DBOS.setEvent", replay: { _ in }) { operation in
            let write = try await operation.systemDatabase.setEvent(event, as: operation.record(serialization: nil), ownerXID: operation.ownerXID)
            try operation.resolve(write) { _ in }
        }
        context.runtime.hub.signal(WakeupHub.key(.events, context.workflowID, key))
    }

    /// Waits up to `timeout` for workflow `workflowID` to set event `key` and returns its latest
    /// value, or nil on timeout. Inside a workflow the result is checkpointed.
    public func event<Value: Codable & Sendable>(
        _ key: String, of workflowID: String, as type: Value.Type = Value.self, timeout: Duration = .seconds(60)
    ) async throws -> Value? {
        let what = "event '\(key)' of workflow '\(workflowID)'"
        guard let context = WorkflowContext.forOperation(on: self) else {
            return try await service.event(key, of: workflowID, as: type, timeout: timeout)
        }
        return try await context.operation("DBOS.getEvent", withDeadline: true) { (operation: Operation<Value?>) in
            let started = context.runtime.clock.now
            let deadline = try await operation.deadline!.durableDeadline(after: timeout)
            let stored = try await service.waitForEvent(key, of: workflowID, until: deadline)
            if let stored { try PortableJSON.requireReadable(stored.serialization, what: what) }
            let ours = operation.record(output: stored?.value ?? "null", startedAt: started)
            return try await operation.commit(ours) { try context.decoded(ours) }
        }
    }

    /// ``event(_:of:as:timeout:)`` on the current workflow's runtime, or outside a workflow on
    /// the single launched runtime.
    public static func event<Value: Codable & Sendable>(
        _ key: String, of workflowID: String, as type: Value.Type = Value.self, timeout: Duration = .seconds(60)
    ) async throws -> Value? {
        try await (currentRuntime ?? launchedRuntime()).event(key, of: workflowID, as: type, timeout: timeout)
    }

    /// Publishes an event; see ``setEvent(_:to:)``.
    @available(*, deprecated, renamed: "setEvent(_:to:)")
    public static func setEvent<Value: Encodable & Sendable>(_ key: String, _ value: Value) async throws {
        try await setEvent(key, to: value)
    }

    /// Waits for an event; see ``event(_:of:as:timeout:)-method``.
    @available(*, deprecated, renamed: "event(_:of:as:timeout:)")
    public func getEvent<Value: Codable & Sendable>(
        _ workflowID: String, _ key: String, as type: Value.Type = Value.self, timeout: Duration = .seconds(60)
    ) async throws -> Value? {
        try await event(key, of: workflowID, as: type, timeout: timeout)
    }

    /// Waits for an event; see ``event(_:of:as:timeout:)-type.method``.
    @available(*, deprecated, renamed: "event(_:of:as:timeout:)")
    public static func getEvent<Value: Codable & Sendable>(
        _ workflowID: String, _ key: String, as type: Value.Type = Value.self, timeout: Duration = .seconds(60)
    ) async throws -> Value? {
        try await event(key, of: workflowID, as: type, timeout: timeout)
    }
}

extension WorkflowService {
    /// Waits up to `timeout` for an event (outside any workflow) and decodes its latest value.
    func event<Value: Decodable>(_ key: String, of workflowID: String, as type: Value.Type, timeout: Duration) async throws -> Value? {
        let deadline = clock.now.timeIntervalSince1970 + timeout.kept.seconds
        guard let stored = try await waitForEvent(key, of: workflowID, until: deadline) else { return nil }
        return try PortableJSON.decode(Value.self, from: stored.value, serialization: stored.serialization,
                                       what: "event '\(key)' of workflow '\(workflowID)'")
    }
}
