public import Foundation

/// One workflow's row in the system database, with its raw (serialized) payloads.
public struct WorkflowStatus: Sendable, Equatable, Codable {
    /// The workflow's ID (its idempotency key).
    public var workflowID: String
    /// The workflow's status.
    public var state: WorkflowState
    /// The registered workflow name.
    public var name: String
    /// The class of a workflow method (DBOS Python); nil for Swift workflows.
    public var className: String?
    /// The configured instance of a workflow method (DBOS Python); nil for Swift workflows.
    public var configName: String?
    /// The queue the workflow was enqueued on, if any.
    public var queueName: String?
    /// The executor (process) that runs or last ran the workflow.
    public var executorID: String?
    /// The application version the workflow runs under; only executors of that version recover it.
    public var applicationVersion: String?
    /// The application ID recorded by DBOS Cloud, if any.
    public var applicationID: String?
    /// The user the workflow runs for, if one was recorded.
    public var authenticatedUser: String?
    /// How many times the workflow was started or recovered.
    public var recoveryAttempts: Int
    /// When the workflow was created (started or enqueued).
    public var createdAt: Date
    /// When the row last changed.
    public var updatedAt: Date
    /// When a queued workflow was dequeued.
    public var startedAt: Date?
    /// When the workflow reached a terminal state.
    public var completedAt: Date?
    /// How long the workflow may run before it is cancelled.
    public var timeout: Duration?
    /// When the workflow is cancelled if it has not finished.
    public var deadline: Date?
    /// The queue deduplication ID while the workflow is active.
    public var deduplicationID: String?
    /// The queue priority (lower runs first when the queue enables priorities).
    public var priority: Int
    /// The queue partition the workflow belongs to.
    public var partitionKey: String?
    /// The workflow this one was forked from.
    public var forkedFrom: String?
    /// Whether another workflow was forked from this one.
    public var wasForkedFrom: Bool
    /// The parent of a child workflow.
    public var parentWorkflowID: String?
    /// The serialization format of the payloads (`portable_json`, `py_pickle`, ...).
    public var serialization: String?
    /// The serialized input, as stored.
    public var input: String?
    /// The serialized output, as stored.
    public var output: String?
    /// The serialized error, as stored.
    public var error: String?

    /// The stored status text.
    @available(*, deprecated, renamed: "state", message: "use state (a WorkflowState)")
    public var status: String { state.rawValue }

    /// The output decoded as `T`; a specific error names the format when it is not portable JSON.
    public func decodedOutput<T: Decodable>(as type: T.Type) throws -> T {
        guard let output else {
            throw DBOSError.decodingFailed(what: "output of workflow '\(workflowID)'", type: "\(T.self)", reason: "the workflow has no output (status \(state))")
        }
        return try PortableJSON.decode(T.self, from: output, serialization: serialization, what: "output of workflow '\(workflowID)'")
    }

    /// The stored error in portable form.
    public func decodedError() throws -> WorkflowFailure? {
        guard let error else { return nil }
        return try PortableJSON.decode(WorkflowFailure.self, from: error, serialization: serialization, what: "error of workflow '\(workflowID)'")
    }
}
