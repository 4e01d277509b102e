import Foundation
import Logging

/// A light client of a DBOS system database, for other services and tools: it registers
/// nothing and runs no workflows. It reads workflows written by any DBOS language.
public final class DBOSClient: Sendable {
    let systemDatabase: any SystemDatabase
    let errors = ErrorRegistry()

    /// Connects to a system database (`postgresql://...`, `sqlite:///file` or a file path).
    /// The schema is not created: call ``migrate()`` for that.
    public init(databaseURL: String, postgresSchema: String = "dbos", logger: Logger = Logger(label: "dbos.client")) async throws {
        systemDatabase = try await SystemDatabaseFactory.open(
            url: databaseURL, schema: postgresSchema, synchronous: .full, maxConnections: 4, logger: logger)
    }

    /// `"sqlite"` or `"postgres"`.
    public var backendName: String { systemDatabase.backendName }

    /// Creates or upgrades the DBOS schema.
    public func migrate() async throws -> MigrationReport {
        try await publicOperation("migrate") { try await systemDatabase.migrate() }
    }

    /// Deletes all DBOS state — every workflow, step, message, event, stream, queue and
    /// schedule — by dropping the DBOS tables (on PostgreSQL, the DBOS schema) and creating
    /// them again. Stop the applications using the database first.
    public func resetSystemDatabase() async throws -> MigrationReport {
        try await publicOperation("reset") { try await systemDatabase.reset() }
    }

    /// The status row of one workflow, or nil when it does not exist.
    public func getWorkflowStatus(_ workflowID: String) async throws -> WorkflowStatus? {
        try await publicOperation("get workflow status") { try await systemDatabase.workflowStatus(workflowID: workflowID) }
    }

    /// Workflows matching `filter`.
    public func listWorkflows(_ filter: ListWorkflowsFilter = .init()) async throws -> [WorkflowStatus] {
        try await publicOperation("list workflows") { try await systemDatabase.listWorkflows(filter) }
    }

    /// The recorded operations of a workflow, in order.
    public func listSteps(_ workflowID: String) async throws -> [StepRecord] {
        try await publicOperation("list steps") { try await systemDatabase.steps(workflowID: workflowID) }
    }

    /// Sends a message to a workflow (see ``DBOS/send(to:_:topic:idempotencyKey:)``).
    public func send<Message: Encodable & Sendable>(
        to destination: String, _ message: Message, topic: String? = nil, idempotencyKey: String? = nil
    ) async throws {
        try await systemDatabase.send(OutgoingMessage(
            messageUUID: idempotencyKey.map { "\($0)::\(destination)" } ?? UUID().uuidString.lowercased(),
            destination: destination, topic: topic ?? nullTopic, message: try PortableJSON.encode(message),
            createdAt: MonotonicMillis.next()), from: nil, ownerXID: nil)
    }

    /// The latest value of a workflow's event, or nil when it is not set (this call does not wait).
    public func getEvent<Value: Decodable>(_ workflowID: String, _ key: String, as type: Value.Type = Value.self) async throws -> Value? {
        guard let stored = try await systemDatabase.getEvent(workflowID: workflowID, key: key) else { return nil }
        let what = "event '\(key)' of workflow '\(workflowID)'"
        try Payload.requirePortable(stored.serialization, what: what)
        return try PortableJSON.decode(Value.self, from: stored.value, what: what)
    }

    /// Closes the connections.
    public func close() async {
        await systemDatabase.close()
    }
}
