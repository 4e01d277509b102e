import Logging

/// A light client of a DBOS system database, for other services and tools: it registers
/// nothing and runs no workflows. It reads workflows written by any DBOS language.
public final class DBOSClient: Sendable {
    let systemDatabase: any SystemDatabase

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
        try await systemDatabase.migrate()
    }

    /// The status row of one workflow, or nil when it does not exist.
    public func getWorkflowStatus(_ workflowID: String) async throws -> WorkflowStatus? {
        try await systemDatabase.workflowStatus(workflowID: workflowID)
    }

    /// Workflows matching `filter`.
    public func listWorkflows(_ filter: ListWorkflowsFilter = .init()) async throws -> [WorkflowStatus] {
        try await systemDatabase.listWorkflows(filter)
    }

    /// The recorded operations of a workflow, in order.
    public func listSteps(_ workflowID: String) async throws -> [StepRecord] {
        try await systemDatabase.steps(workflowID: workflowID)
    }

    /// Closes the connections.
    public func close() async {
        await systemDatabase.close()
    }
}
