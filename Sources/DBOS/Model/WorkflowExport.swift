public import Foundation

/// Workflows taken out of one system database to be read, replayed or forked in another: each
/// with every row the DBOS tables hold for it (its status, inputs and outcome, recorded
/// operations, events and their history, streams, and the messages sent to it), column by
/// column, as JSON.
///
/// ```swift
/// // On a machine that reaches production's database:
/// let export = try await client.exportWorkflow("agent-run-7")
/// try JSONEncoder().encode(export).write(to: URL(fileURLWithPath: "agent-run-7.json"))
///
/// // On a laptop, into its own SQLite file:
/// let export = try JSONDecoder().decode(WorkflowExport.self, from: Data(contentsOf: file))
/// try await dbos.importWorkflow(export)
/// let forkID = try await dbos.fork("agent-run-7", fromStep: 5)
/// ```
///
/// `dbos-swift workflow export` and `workflow import` do the same from the command line. An
/// export reads the same whichever backend wrote it: PostgreSQL and SQLite exports have the
/// same shape and import into either.
public struct WorkflowExport: Codable, Sendable {
    /// The name in every export's `format` field.
    public static let formatName = "dbos-workflow-export"
    /// The version of the layout this library writes and reads.
    public static let currentVersion = 1

    /// Always ``formatName``.
    public var format: String
    /// The layout's version (``currentVersion``).
    public var version: Int
    /// When the export was taken.
    public var exportedAt: Date
    /// The exported workflow first, then its descendants (parents before children).
    public var workflows: [ExportedWorkflow]

    /// An export of `workflows`, taken at `exportedAt`.
    public init(workflows: [ExportedWorkflow], exportedAt: Date = Date()) {
        self.format = Self.formatName
        self.version = Self.currentVersion
        self.exportedAt = exportedAt
        self.workflows = workflows
    }
}

/// One exported workflow: its rows by table.
public struct ExportedWorkflow: Codable, Sendable {
    /// The workflow's ID.
    public var workflowID: String
    /// Rows by table name (`workflow_status`, `workflow_input`, `workflow_output`,
    /// `operation_outputs`, `workflow_events`, `workflow_events_history`, `streams`,
    /// `notifications`), each row an object of its columns.
    public var tables: [String: [[String: JSONValue]]]

    /// A workflow's rows.
    public init(workflowID: String, tables: [String: [[String: JSONValue]]]) {
        self.workflowID = workflowID
        self.tables = tables
    }

    /// The workflow's status, with its inputs and outcome, as ``WorkflowManaging/getWorkflowStatus(_:)`` returns it.
    ///
    /// - Throws: ``DBOSError/Code/malformedRow`` naming a missing or mistyped column.
    public func status() throws -> WorkflowStatus {
        guard var columns = tables["workflow_status"]?.first else {
            throw DBOSError.malformedRow(table: "export of '\(workflowID)'", column: "workflow_status", reason: "is missing")
        }
        // The payloads live in their own tables (older rows keep them in the status row).
        let input = tables["workflow_input"]?.first?["inputs"]
        let outcome = tables["workflow_output"]?.first
        for (column, value) in [("inputs", input), ("output", outcome?["output"]), ("error", outcome?["error"])] {
            if let value, value != .null { columns[column] = value } else if columns[column] == nil { columns[column] = .null }
        }
        return try WorkflowStatus(row: Self.row(columns, "workflow_status of '\(workflowID)'"))
    }

    /// The workflow's recorded operations in order, as ``WorkflowManaging/listSteps(_:)`` returns them.
    public func steps() throws -> [StepRecord] {
        try (tables["operation_outputs"] ?? []).map { try StepRecord(row: Self.row($0, "operation_outputs of '\(workflowID)'")) }
            .sorted { $0.functionID < $1.functionID }
    }

    private static func row(_ columns: [String: JSONValue], _ source: String) -> SQLRow {
        SQLRow(columns: columns.mapValues(SQLValue.init(json:)), source: source)
    }
}
