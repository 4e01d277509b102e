import Foundation
public import Logging

/// A light client of a DBOS system database, for other services and tools: it registers
/// nothing and runs no workflows. It reads workflows written by any DBOS language, and shares
/// every operation's implementation with ``DBOS``.
public final class DBOSClient: Sendable {
    let systemDatabase: any SystemDatabase
    let service: WorkflowService
    private let host: HostTask

    /// Connects to a system database (`postgresql://...`, `sqlite:///file` or a file path).
    /// The schema is not created: call ``migrate()`` for that. Call ``close()`` when done.
    public init(databaseURL: String, postgresSchema: String = "dbos", logger: Logger = Logger(label: "dbos.client")) async throws {
        let database = try SQLSystemDatabase(url: DatabaseURL(parsing: databaseURL), schema: postgresSchema, synchronous: .full,
                                             maxConnections: 4, logger: logger)
        let host = HostTask { await database.run() }
        do {
            try await database.open()
        } catch {
            await database.close()
            host.cancel()
            await host.wait()
            throw error
        }
        self.host = host
        systemDatabase = database
        service = WorkflowService(systemDatabase: database)
    }

    /// `"sqlite"` or `"postgres"`.
    public var backendName: String { systemDatabase.backendName }

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

    /// Registers a Swift error type so stored errors of that type are rethrown as it.
    public func registerError<E: Error & Decodable>(_ type: E.Type) {
        service.errors.register(type)
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
                                        queue: queue, options: options, executorID: nil, applicationVersion: options.applicationVersion)
        let (workflowID, result) = try await service.insert(insert, onDuplicate: options.onDuplicate)
        if let result, result.name != workflowName {
            throw DBOSError.conflictingWorkflow(workflowID: insert.workflowID, existingName: result.name, requestedName: workflowName)
        }
        return workflowID
    }

    /// A handle to an existing workflow, by ID, whose output is read as `Output`.
    public func retrieve<Output: Codable & Sendable>(_ workflowID: String, as type: Output.Type = Output.self) async throws
        -> WorkflowHandle<Output> {
        _ = try await service.existingStatus(workflowID)
        return WorkflowHandle(workflowID: workflowID, service: service)
    }

    /// Waits (polling) for a workflow to finish and returns its output decoded as `Output`.
    /// Errors as for ``WorkflowHandle/result()``; past `timeout`,
    /// ``DBOSError/Code/invalidWorkflowState``.
    public func result<Output: Decodable>(of workflowID: String, as type: Output.Type = Output.self,
                                          timeout: Duration = .seconds(3600)) async throws -> Output {
        try await service.result(of: workflowID, as: type, timeout: timeout)
    }

    /// The status row of one workflow, or nil when it does not exist.
    public func getWorkflowStatus(_ workflowID: String) async throws -> WorkflowStatus? {
        try await service.status(workflowID)
    }

    /// Workflows matching `filter`.
    public func listWorkflows(_ filter: ListWorkflowsFilter = .init()) async throws -> [WorkflowStatus] {
        try await service.list(filter)
    }

    /// The recorded operations of a workflow, in order.
    public func listSteps(_ workflowID: String) async throws -> [StepRecord] {
        try await service.steps(workflowID)
    }

    /// Workflows waiting on or running from a queue (ENQUEUED, DELAYED or PENDING), oldest first.
    public func listQueuedWorkflows(queue: String? = nil, limit: Int? = nil) async throws -> [WorkflowStatus] {
        try await service.listQueued(queue: queue, limit: limit)
    }

    /// Cancels a workflow (see ``DBOS/cancel(_:includeChildren:)``).
    public func cancel(_ workflowID: String, includeChildren: Bool = false) async throws {
        try await service.cancel(workflowID, includeChildren: includeChildren)
    }

    /// Resumes a workflow (see ``DBOS/resume(_:)``).
    public func resume(_ workflowID: String) async throws {
        try await service.resume(workflowID)
    }

    /// Forks a workflow from a step (see ``DBOS/fork(_:fromStep:newID:applicationVersion:)``);
    /// by default the fork runs under the original's application version.
    public func fork(_ workflowID: String, fromStep: Int, newID: String? = nil, applicationVersion: String? = nil) async throws -> String {
        try await service.fork(workflowID, fromStep: fromStep, newID: newID, applicationVersion: applicationVersion)
    }

    /// Deletes a workflow (see ``DBOS/delete(_:includeChildren:)``).
    public func delete(_ workflowID: String, includeChildren: Bool = false) async throws {
        try await service.delete(workflowID, includeChildren: includeChildren)
    }

    // MARK: Messages and events

    /// Sends a message to a workflow (see ``DBOS/send(_:to:topic:idempotencyKey:)``).
    public func send<Message: Encodable & Sendable>(
        _ message: Message, to destination: String, topic: String? = nil, idempotencyKey: String? = nil
    ) async throws {
        try await service.send(OutgoingMessage(message, to: destination, topic: topic, idempotencyKey: idempotencyKey))
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

    /// The values of a workflow's stream (see ``DBOS/stream(_:of:as:)``), polled.
    public func stream<Value: Decodable & Sendable>(_ key: String, of workflowID: String, as type: Value.Type = Value.self)
        -> AsyncThrowingStream<Value, any Error> {
        service.stream(key, of: workflowID, as: type)
    }
}
