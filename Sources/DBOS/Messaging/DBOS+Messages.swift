import Foundation
import Synchronization

/// The topic DBOS stores for messages sent without one.
let nullTopic = "__null__topic__"

extension DBOS {
    /// Sends `message` to a workflow's inbox (FIFO per topic; see ``recv(_:topic:timeout:)``).
    ///
    /// Inside a workflow the send is checkpointed: a replay does not send again. Outside one,
    /// an `idempotencyKey` makes repeated sends deliver once. Sending to a workflow ID that does
    /// not exist throws ``DBOSError/nonexistentWorkflow(workflowID:)``.
    public func send<Message: Encodable & Sendable>(
        to destination: String, _ message: Message, topic: String? = nil, idempotencyKey: String? = nil
    ) async throws {
        let text = try PortableJSON.encode(message)
        let topic = topic ?? nullTopic
        var outgoing = OutgoingMessage(
            messageUUID: idempotencyKey.map { "\($0)::\(destination)" } ?? UUID().uuidString.lowercased(),
            destination: destination, topic: topic, message: text, createdAt: MonotonicMillis.next())
        if let context = WorkflowContext.current, context.runtime === self, !WorkflowContext.insideStep {
            try context.checkRunnable()
            let functionID = context.nextFunctionID()
            let name = "DBOS.send"
            if try context.recorded(functionID, expecting: name) != nil { return }
            if idempotencyKey == nil { outgoing.messageUUID = "\(context.workflowID)-\(functionID)::\(destination)" }
            let now = Date()
            let step = StepRecord(workflowID: context.workflowID, functionID: functionID, functionName: name,
                                  startedAt: now, completedAt: now, serialization: nil)
            _ = try await context.recordWithEffect(step) {
                try await systemDatabase.send(outgoing, from: step, ownerXID: context.ownerXID)
            }
        } else {
            try await systemDatabase.send(outgoing, from: nil, ownerXID: nil)
        }
        hub.signal(WakeupHub.key(.notifications, "\(destination)::\(topic)"))
    }

    /// Sends a message from inside a workflow (checkpointed) or, outside one, through the
    /// single launched runtime. See ``send(to:_:topic:idempotencyKey:)``.
    public static func send<Message: Encodable & Sendable>(
        to destination: String, _ message: Message, topic: String? = nil, idempotencyKey: String? = nil
    ) async throws {
        try await (currentRuntime ?? launchedRuntime()).send(to: destination, message, topic: topic, idempotencyKey: idempotencyKey)
    }

    /// Receives the oldest unconsumed message on `topic` sent to the current workflow, waiting
    /// up to `timeout`; nil when the timeout passes. Each message is consumed exactly once.
    ///
    /// The deadline is stored: after a crash or restart the workflow waits only for the time
    /// that is left, and still receives a message that arrived while it was down.
    public static func recv<Message: Codable & Sendable>(
        _ type: Message.Type = Message.self, topic: String? = nil, timeout: Duration = .seconds(60)
    ) async throws -> Message? {
        guard let context = WorkflowContext.current, !WorkflowContext.insideStep else {
            throw DBOSError.outsideWorkflow(operation: "DBOS.recv")
        }
        try context.checkRunnable()
        let runtime = context.runtime
        let topic = topic ?? nullTopic
        let functionID = context.nextFunctionID()
        let timeoutID = context.nextFunctionID()
        let name = "DBOS.recv"
        if let record = try context.recorded(functionID, expecting: name) {
            return try context.replay(record, as: Message?.self)
        }
        let deadline = try await context.durableDeadline(functionID: timeoutID, timeout: timeout)
        let started = Date()
        let pending = StepRecord(workflowID: context.workflowID, functionID: functionID, functionName: name, startedAt: started)
        let key = WakeupHub.key(.notifications, "\(context.workflowID)::\(topic)")
        let consumed = try await runtime.waitFor(key, until: deadline) { () async throws -> StepRecord? in
            try context.checkRunnable()
            var taken: StepRecord?
            do {
                let stored = try await context.recordWithEffect(pending) {
                    taken = try await runtime.systemDatabase.consumeMessage(
                        workflowID: context.workflowID, topic: topic, step: pending, ownerXID: context.ownerXID)
                    if taken == nil { throw NothingToConsume() }
                }
                // `stored` differs from `pending` only when an earlier execution recorded this recv.
                return stored == pending ? taken : stored
            } catch is NothingToConsume {
                return nil
            }
        }
        if let consumed { return try context.replay(consumed, as: Message?.self) }
        // Timed out: record that this recv returned nothing, so a replay also returns nil.
        let timedOut = StepRecord(workflowID: context.workflowID, functionID: functionID, functionName: name,
                                  output: "null", startedAt: started, completedAt: Date())
        return try context.replay(try await context.record(timedOut), as: Message?.self)
    }
}

private struct NothingToConsume: Error {}

/// Epoch milliseconds that never repeat or go back within this process, so messages one
/// process sends keep their order in the FIFO even within one millisecond.
enum MonotonicMillis {
    private static let last = Mutex<Int64>(0)
    static func next() -> Int64 {
        last.withLock { last in
            last = max(last + 1, Clock.nowMillis())
            return last
        }
    }
}
