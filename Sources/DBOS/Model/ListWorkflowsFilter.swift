public import Foundation

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
    /// Only workflows that were (true) or were never (false) forked from, as DBOS 3.4's
    /// `was_forked_from`.
    public var wasForkedFrom: Bool?
    /// Only forks (true) or only workflows that are not forks (false), as DBOS 3.4's `is_fork`.
    public var isFork: Bool?
    /// Only children of some workflow (true) or only top-level workflows (false), as DBOS 3.4's
    /// `has_parent`.
    public var hasParent: Bool?
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

    /// A filter; every condition left nil matches all workflows.
    public init(workflowIDs: [String]? = nil, workflowIDPrefix: String? = nil, name: String? = nil,
                status: [WorkflowState]? = nil, queueName: String? = nil, applicationVersion: String? = nil,
                executorID: String? = nil, parentWorkflowID: String? = nil, forkedFrom: String? = nil,
                createdAfter: Date? = nil, createdBefore: Date? = nil, completedAfter: Date? = nil,
                completedBefore: Date? = nil, limit: Int? = nil, offset: Int? = nil,
                sortDescending: Bool = false, loadPayloads: Bool = true,
                wasForkedFrom: Bool? = nil, isFork: Bool? = nil, hasParent: Bool? = nil) {
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
        self.wasForkedFrom = wasForkedFrom
        self.isFork = isFork
        self.hasParent = hasParent
    }
}
