import Foundation
import Synchronization

/// The topic DBOS stores for messages sent without one.
let nullTopic = "__null__topic__"

extension DBOS {
    /// Sends `message` to a workflow's inbox (FIFO per topic; see ``receive(_:topic:timeout:)``).
    ///
    /// Inside a workflow the send is checkpointed: a replay does not send again. Outside one,
    /// an `idempotencyKey` makes repeated sends deliver once. Sending to a workflow ID that does
    /// not exist throws ``DBOSError/Code/nonexistentWorkflow``.
    public func send<Message: Encodable & Sendable>(
        _ message: Message, to destination: String, topic: String? = nil, idempotencyKey: String? = nil
    ) async throws {
        try await send([BulkMessage(message, to: destination, topic: topic, idempotencyKey: idempotencyKey)], operation: "DBOS.send")
    }

    /// Sends several messages, all or none, in one transaction (DBOS 3.4's `send_bulk`): a
    /// destination that does not exist fails the whole send with
    /// ``DBOSError/Code/nonexistentWorkflow`` naming it, and nothing is sent. Inside a workflow
    /// the send is one checkpointed operation (`DBOS.send_bulk`), not repeated on replay.
    ///
    /// - Throws: ``DBOSError/Code/invalidArgument`` when two messages have the same idempotency key.
    public func sendBulk(_ messages: [BulkMessage]) async throws {
        try BulkMessage.requireDistinctKeys(messages)
        try await send(messages, operation: "DBOS.send_bulk")
    }

    /// Sends `messages` from outside a workflow, or as one operation named `name` of the
    /// calling workflow. Inside a workflow a message without an idempotency key gets an ID
    /// derived from the operation, so a replay cannot send it twice.
    private func send(_ messages: [BulkMessage], operation name: String) async throws {
        guard let context = WorkflowContext.forOperation(on: self) else {
            try await service.send(messages.map(\.outgoing))
            return
        }
        var sent = messages.map(\.outgoing)
        try await context.operation(name, replay: { _ in }) { operation in
            for (index, message) in messages.enumerated() where message.idempotencyKey == nil {
                let position = messages.count == 1 ? "" : "-\(index)"
                sent[index].messageUUID = "\(operation.workflowID)-\(operation.functionID)\(position)::\(message.destination)"
            }
            let write = try await systemDatabase.send(sent, as: operation.record(serialization: nil), ownerXID: operation.ownerXID)
            try operation.resolve(write) { _ in }
        }
        for message in sent { hub.signal(WakeupHub.key(.notifications, message.destination, message.topic)) }
    }

    /// ``sendBulk(_:)`` on the runtime running this workflow (or the one launched in this process).
    public static func sendBulk(_ messages: [BulkMessage]) async throws {
        try await (currentRuntime ?? launchedRuntime()).sendBulk(messages)
    }

    /// Sends a message from inside a workflow (checkpointed) or, outside one, through the
    /// single launched runtime. See ``send(_:to:topic:idempotencyKey:)``.
    public static func send<Message: Encodable & Sendable>(
        _ message: Message, to destination: String, topic: String? = nil, idempotencyKey: String? = nil
    ) async throws {
        try await (currentRuntime ?? launchedRuntime()).send(message, to: destination, topic: topic, idempotencyKey: idempotencyKey)
    }

    /// Receives the oldest unconsumed message on `topic` sent to the current workflow, waiting
    /// up to `timeout`; nil when the timeout passes. Each message is consumed exactly once.
    ///
    /// The deadline is stored: after a crash or restart the workflow waits only for the time
    /// that is left, and still receives a message that arrived while it was down.
    public static func receive<Message: Codable & Sendable>(
        _ type: Message.Type = Message.self, topic: String? = nil, timeout: Duration = .seconds(60)
    ) async throws -> Message? {
        guard let context = WorkflowContext.forOperation() else { throw DBOSError.outsideWorkflow(operation: "DBOS.receive") }
        let topic = topic ?? nullTopic
        let service = context.runtime.service
        return try await context.operation("DBOS.recv", withDeadline: true) { (operation: Operation<Message?>) in
            let deadline = try await operation.deadline!.durableDeadline(after: timeout)
            let started = context.runtime.clock.now
            let pending = operation.record(startedAt: started, pending: true)
            // A message, once one is consumed and recorded (`.some`, whose value may be nil: a
            // `null` message); nil while none is waiting.
            let received: Message?? = try await service.waitFor(.notifications, of: operation.workflowID, name: topic, until: deadline) {
                try context.checkRunnable()
                guard let write = try await service.systemDatabase.consumeMessage(
                    workflowID: operation.workflowID, topic: topic, as: pending, ownerXID: operation.ownerXID,
                    readableFormat: PortableJSON.formatName, unreadable: { format, messageUUID in
                        try PortableJSON.encode(WorkflowFailure(DBOSError.unsupportedSerialization(
                            format: format, what: "message '\(messageUUID)' on topic '\(topic)' for workflow '\(operation.workflowID)'")))
                    }) else { return nil }
                return .some(try operation.resolve(write) { try context.decoded($0) })
            }
            if let received { return received }
            // Timed out: record that this receive returned nothing, so a replay also returns nil.
            return try await operation.commit(operation.record(output: "null", startedAt: started)) { nil }
        }
    }

    /// Receives a message; see ``receive(_:topic:timeout:)``.
    @available(*, deprecated, renamed: "receive(_:topic:timeout:)")
    public static func recv<Message: Codable & Sendable>(
        _ type: Message.Type = Message.self, topic: String? = nil, timeout: Duration = .seconds(60)
    ) async throws -> Message? {
        try await receive(type, topic: topic, timeout: timeout)
    }

    /// Sends a message; see ``send(_:to:topic:idempotencyKey:)-method``.
    @available(*, deprecated, renamed: "send(_:to:topic:idempotencyKey:)")
    public func send<Message: Encodable & Sendable>(
        to destination: String, _ message: Message, topic: String? = nil, idempotencyKey: String? = nil
    ) async throws {
        try await send(message, to: destination, topic: topic, idempotencyKey: idempotencyKey)
    }

    /// Sends a message; see ``send(_:to:topic:idempotencyKey:)-type.method``.
    @available(*, deprecated, renamed: "send(_:to:topic:idempotencyKey:)")
    public static func send<Message: Encodable & Sendable>(
        to destination: String, _ message: Message, topic: String? = nil, idempotencyKey: String? = nil
    ) async throws {
        try await send(message, to: destination, topic: topic, idempotencyKey: idempotencyKey)
    }
}

/// One message of ``DBOS/sendBulk(_:)-swift.method`` or ``DBOSClient/sendBulk(_:)`` (DBOS 3.4's `SendMessage`),
/// encoded when it is made.
public struct BulkMessage: Sendable {
    /// The workflow the message is for.
    public var destination: String { outgoing.destination }
    /// The topic (nil: the default topic).
    public let topic: String?
    /// The idempotency key, as for ``DBOS/send(_:to:topic:idempotencyKey:)-swift.method``.
    public let idempotencyKey: String?
    let outgoing: OutgoingMessage

    /// A message to `destination`, on `topic`.
    ///
    /// - Throws: ``DBOSError/Code/encodingFailed`` when the message cannot be encoded.
    public init<Message: Encodable & Sendable>(_ message: Message, to destination: String, topic: String? = nil,
                                               idempotencyKey: String? = nil) throws {
        self.topic = topic
        self.idempotencyKey = idempotencyKey
        self.outgoing = try OutgoingMessage(message, to: destination, topic: topic, idempotencyKey: idempotencyKey)
    }

    /// Throws ``DBOSError/Code/invalidArgument`` naming the idempotency keys that appear twice.
    static func requireDistinctKeys(_ messages: [BulkMessage]) throws {
        let keys = messages.compactMap(\.idempotencyKey)
        guard Set(keys).count != keys.count else { return }
        let repeated = Set(keys.filter { key in keys.filter { $0 == key }.count > 1 }).sorted()
        throw DBOSError.invalidArgument("sendBulk was given the same idempotency key twice: \(repeated.joined(separator: ", "))")
    }
}

extension OutgoingMessage {
    /// A portable-JSON message; its UUID deduplicates repeated sends of one idempotency key.
    init<Message: Encodable>(_ message: Message, to destination: String, topic: String?, idempotencyKey: String?) throws {
        self.init(
            messageUUID: idempotencyKey.map { "\($0)::\(destination)" } ?? UUID().uuidString.lowercased(),
            destination: destination, topic: topic ?? nullTopic, message: try PortableJSON.encode(message),
            serialization: PortableJSON.formatName, createdAt: MonotonicMillis.next())
    }
}

/// Epoch milliseconds that never repeat or go back within this process, so messages one
/// process sends keep their order in the FIFO even within one millisecond.
enum MonotonicMillis {
    private static let last = Mutex<Int64>(0)
    static func next() -> Int64 {
        last.withLock { last in
            last = max(last + 1, Date().epochMilliseconds)
            return last
        }
    }
}
