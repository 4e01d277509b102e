import Foundation
public import Logging

/// A light client of a DBOS system database, for other services and tools: it registers
/// nothing and runs no workflows. It reads workflows written by any DBOS language, and shares
/// every operation's implementation with ``DBOS``.
public final class DBOSClient: WorkflowManaging {
    let systemDatabase: any SystemDatabase
    let service: WorkflowService
    private let host: HostTask

    /// Connects to a system database (`postgresql://...`, `sqlite:///file` or a file path).
    /// The schema is not created: call ``migrate()`` for that. Call ``close()`` when done.
    ///
    /// - Parameters:
    ///   - databaseURL: the system database.
    ///   - postgresSchema: the schema of the DBOS tables on PostgreSQL.
    ///   - logger: where the client logs.
    ///   - clock: the time of the client's writes and waits (enqueue delays and times,
    ///     `getEvent` timeouts); a test passes the clock its runtime runs on. Default ``WallClock``.
    public init(databaseURL: String, postgresSchema: String = "dbos", logger: Logger = Logger(label: "dbos.client"),
                clock: any DBOSClock = WallClock()) async throws {
        let database = try SQLSystemDatabase(url: DatabaseURL(parsing: databaseURL), schema: postgresSchema, synchronous: .full,
                                             maxConnections: 4, logger: logger, clock: clock)
        let host = HostTask { await database.run() }
        do {
            try await database.open(creating: true, listening: false)
        } catch {
            await database.close()
            host.cancel()
            await host.wait()
            throw error
        }
        self.host = host
        systemDatabase = database
        service = WorkflowService(systemDatabase: database, waitsAreSwept: false)
    }

    /// `"sqlite"` or `"postgres"`.
    public var backendName: String { systemDatabase.backendName }

    /// See ``WorkflowManaging``.
    public var workflowAccess: WorkflowAccess { WorkflowAccess(service: service) }

    /// Creates or upgrades the DBOS schema.
    public func migrate() async throws -> MigrationReport {
        try await systemDatabase.migrate()
    }

    /// Deletes all DBOS state — every workflow, step, message, event, stream, queue and
    /// schedule — by dropping the DBOS tables (on PostgreSQL, the DBOS schema) and creating
    /// them again. Stop the applications using the database first.
    public func resetSystemDatabase() async throws -> MigrationReport {
        try await systemDatabase.reset()
    }

    /// Closes the connections.
    public func close() async {
        service.signal.trigger()
        await systemDatabase.close()
        host.cancel()
        await host.wait()
    }

    // MARK: Workflows

    /// Enqueues a workflow by name for whichever process serves `queue` (in any DBOS language
    /// that reads portable JSON). Returns the workflow ID. With no `applicationVersion` in
    /// `options`, any executor may dequeue it.
    public func enqueue<each Input: Encodable>(
        workflowName: String, queue: String, _ input: repeat each Input, options: EnqueueOptions = .init()
    ) async throws -> String {
        let insert = try WorkflowInsert(queued: workflowName, inputs: try PortableJSON.encodeArguments(repeat each input),
                                        queue: queue, options: options, executorID: nil, applicationVersion: options.applicationVersion,
                                        now: systemDatabase.clock.now)
        let (workflowID, result) = try await service.insert(insert, onDuplicate: options.onDuplicate)
        if let result, result.name != workflowName {
            throw DBOSError.conflictingWorkflow(workflowID: insert.workflowID, existingName: result.name, requestedName: workflowName)
        }
        return workflowID
    }

    /// Waits (polling) for a workflow to finish and returns its output decoded as `Output`.
    /// Errors as for ``WorkflowHandle/result()``; past `timeout`,
    /// ``DBOSError/Code/invalidWorkflowState``.
    public func result<Output: Decodable>(of workflowID: String, as type: Output.Type = Output.self,
                                          timeout: Duration = .seconds(3600)) async throws -> Output {
        try await service.result(of: workflowID, as: type, timeout: timeout)
    }

    // MARK: Messages and events

    /// Sends a message to a workflow (see ``DBOS/send(_:to:topic:idempotencyKey:)-method``).
    public func send<Message: Encodable & Sendable>(
        _ message: Message, to destination: String, topic: String? = nil, idempotencyKey: String? = nil
    ) async throws {
        try await service.send([OutgoingMessage(message, to: destination, topic: topic, idempotencyKey: idempotencyKey)])
    }

    /// Sends several messages, all or none, in one transaction (see ``DBOS/sendBulk(_:)-swift.method``).
    public func sendBulk(_ messages: [BulkMessage]) async throws {
        try BulkMessage.requireDistinctKeys(messages)
        try await service.send(messages.map(\.outgoing))
    }

    /// Waits up to `timeout` (default: not at all) for a workflow's event and returns its
    /// latest value, or nil when it is not set.
    public func event<Value: Decodable>(_ key: String, of workflowID: String, as type: Value.Type = Value.self,
                                        timeout: Duration = .zero) async throws -> Value? {
        try await service.event(key, of: workflowID, as: type, timeout: timeout)
    }

    /// Sends a message; see ``send(_:to:topic:idempotencyKey:)``.
    @available(*, deprecated, renamed: "send(_:to:topic:idempotencyKey:)")
    public func send<Message: Encodable & Sendable>(
        to destination: String, _ message: Message, topic: String? = nil, idempotencyKey: String? = nil
    ) async throws {
        try await send(message, to: destination, topic: topic, idempotencyKey: idempotencyKey)
    }

    /// Reads an event; see ``event(_:of:as:timeout:)``.
    @available(*, deprecated, renamed: "event(_:of:as:timeout:)")
    public func getEvent<Value: Decodable>(_ workflowID: String, _ key: String, as type: Value.Type = Value.self) async throws -> Value? {
        try await event(key, of: workflowID, as: type)
    }

    /// The values of a workflow's stream from `offset` on (see ``DBOS/stream(_:of:as:from:)``),
    /// polled.
    public func stream<Value: Decodable & Sendable>(_ key: String, of workflowID: String, as type: Value.Type = Value.self,
                                                    from offset: Int = 0) -> AsyncThrowingStream<Value, any Error> {
        service.stream(key, of: workflowID, as: type, from: offset)
    }
}
