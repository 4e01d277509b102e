import Foundation

/// The status of a workflow, as stored in `workflow_status.status`.
public enum WorkflowState: String, Sendable, Codable, CaseIterable {
    case pending = "PENDING"
    case enqueued = "ENQUEUED"
    case delayed = "DELAYED"
    case success = "SUCCESS"
    case error = "ERROR"
    case cancelled = "CANCELLED"
    case maxRecoveryAttemptsExceeded = "MAX_RECOVERY_ATTEMPTS_EXCEEDED"

    /// Whether the workflow may still run (ENQUEUED, PENDING or DELAYED).
    public var isActive: Bool { self == .pending || self == .enqueued || self == .delayed }
}

/// One workflow's row in the system database, with its raw (serialized) payloads.
public struct WorkflowStatus: Sendable, Equatable {
    public var workflowID: String
    /// The stored status text. ``state`` is its typed form (nil for a status this library does not know).
    public var status: String
    public var name: String
    public var className: String?
    public var configName: String?
    public var queueName: String?
    public var executorID: String?
    public var applicationVersion: String?
    public var applicationID: String?
    public var authenticatedUser: String?
    public var recoveryAttempts: Int
    public var createdAt: Date
    public var updatedAt: Date
    public var startedAt: Date?
    public var completedAt: Date?
    public var timeoutMilliseconds: Int64?
    public var deadline: Date?
    public var deduplicationID: String?
    public var priority: Int
    public var partitionKey: String?
    public var forkedFrom: String?
    public var wasForkedFrom: Bool
    public var parentWorkflowID: String?
    /// The serialization format of the payloads (`portable_json`, `py_pickle`, ...).
    public var serialization: String?
    /// The serialized input, output and error, as stored.
    public var input: String?
    public var output: String?
    public var error: String?

    /// The typed status.
    public var state: WorkflowState? { WorkflowState(rawValue: status) }

    /// The output decoded as `T`; a specific error names the format when it is not portable JSON.
    public func decodedOutput<T: Decodable>(as type: T.Type) throws -> T {
        guard let output else {
            throw DBOSError.decodingFailed(what: "output of workflow '\(workflowID)'", type: "\(T.self)", reason: "the workflow has no output (status \(status))")
        }
        try Payload.requirePortable(serialization, what: "output of workflow '\(workflowID)'")
        return try PortableJSON.decode(T.self, from: output, what: "output of workflow '\(workflowID)'")
    }

    /// The stored error in portable form.
    public func decodedError() throws -> WorkflowFailure? {
        guard let error else { return nil }
        return try Payload.decodeFailure(error, serialization: serialization, what: "error of workflow '\(workflowID)'")
    }
}

/// Helpers shared by every reader of stored payloads.
enum Payload {
    /// Throws ``DBOSError/unsupportedSerialization(format:what:)`` unless the format is portable JSON
    /// (a missing format is read as portable JSON: rows written by the SQL functions leave none on some tables).
    static func requirePortable(_ serialization: String?, what: String) throws {
        if let serialization, serialization != PortableJSON.formatName {
            throw DBOSError.unsupportedSerialization(format: serialization, what: what)
        }
    }

    static func decodeFailure(_ text: String, serialization: String?, what: String) throws -> WorkflowFailure {
        try requirePortable(serialization, what: what)
        return try PortableJSON.decode(WorkflowFailure.self, from: text, what: what)
    }
}

/// One recorded operation (step, sleep, child workflow, ...) of a workflow.
public struct StepRecord: Sendable, Equatable {
    public var workflowID: String
    /// The operation's position in the workflow, from 1.
    public var functionID: Int
    public var functionName: String
    public var output: String?
    public var error: String?
    public var childWorkflowID: String?
    public var startedAt: Date?
    public var completedAt: Date?
    public var serialization: String?

    public init(workflowID: String, functionID: Int, functionName: String, output: String? = nil, error: String? = nil,
                childWorkflowID: String? = nil, startedAt: Date? = nil, completedAt: Date? = nil,
                serialization: String? = PortableJSON.formatName) {
        self.workflowID = workflowID
        self.functionID = functionID
        self.functionName = functionName
        self.output = output
        self.error = error
        self.childWorkflowID = childWorkflowID
        self.startedAt = startedAt
        self.completedAt = completedAt
        self.serialization = serialization
    }
}

/// Which workflows ``DBOS/listWorkflows(_:)`` and ``DBOSClient/listWorkflows(_:)`` return.
/// Every condition that is set must hold; nil means "any".
public struct ListWorkflowsFilter: Sendable {
    /// Only these workflow IDs.
    public var workflowIDs: [String]?
    /// Only IDs that start with this text.
    public var workflowIDPrefix: String?
    /// Only workflows registered under this name.
    public var name: String?
    /// Only workflows in one of these states.
    public var status: [WorkflowState]?
    /// Only workflows enqueued on this queue.
    public var queueName: String?
    /// Only workflows of this application version.
    public var applicationVersion: String?
    /// Only workflows last run by this executor.
    public var executorID: String?
    /// Only children of this workflow.
    public var parentWorkflowID: String?
    /// Only forks of this workflow.
    public var forkedFrom: String?
    /// Created at or after this time.
    public var createdAfter: Date?
    /// Created at or before this time.
    public var createdBefore: Date?
    /// Finished (any terminal state) at or after this time.
    public var completedAfter: Date?
    /// Finished at or before this time.
    public var completedBefore: Date?
    /// At most this many rows.
    public var limit: Int?
    /// Skip this many rows first (with `limit`, for pages).
    public var offset: Int?
    /// Newest first when true; oldest first by default (by creation time, then ID).
    public var sortDescending: Bool
    /// Whether to load inputs and outputs (they can be large).
    public var loadPayloads: Bool

    public init(workflowIDs: [String]? = nil, workflowIDPrefix: String? = nil, name: String? = nil,
                status: [WorkflowState]? = nil, queueName: String? = nil, applicationVersion: String? = nil,
                executorID: String? = nil, parentWorkflowID: String? = nil, forkedFrom: String? = nil,
                createdAfter: Date? = nil, createdBefore: Date? = nil, completedAfter: Date? = nil,
                completedBefore: Date? = nil, limit: Int? = nil, offset: Int? = nil,
                sortDescending: Bool = false, loadPayloads: Bool = true) {
        self.workflowIDs = workflowIDs
        self.workflowIDPrefix = workflowIDPrefix
        self.name = name
        self.status = status
        self.queueName = queueName
        self.applicationVersion = applicationVersion
        self.executorID = executorID
        self.parentWorkflowID = parentWorkflowID
        self.forkedFrom = forkedFrom
        self.createdAfter = createdAfter
        self.createdBefore = createdBefore
        self.completedAfter = completedAfter
        self.completedBefore = completedBefore
        self.limit = limit
        self.offset = offset
        self.sortDescending = sortDescending
        self.loadPayloads = loadPayloads
    }
}
