/// The values of a new workflow row.
struct WorkflowInsert: Sendable {
    var workflowID: String
    var name: String
    var status: WorkflowState = .pending
    /// Nil for a workflow enqueued by a client: any executor (of any version) may run it.
    var executorID: String?
    var applicationVersion: String?
    var applicationName: String?
    var queueName: String?
    var timeoutMilliseconds: Int64?
    var deadlineEpochMilliseconds: Int64?
    /// Whether a child without a timeout of its own takes its parent's deadline (not stored).
    var inheritsDeadline = true
    var parentWorkflowID: String?
    var ownerXID: String
    var inputs: String
    var serialization: String
    var priority: Int = 0
    var deduplicationID: String?
    var partitionKey: String?
    var authenticatedUser: String?
    var createdAt: Int64
    var delayUntilEpochMilliseconds: Int64?
    /// A debounced workflow (DELAYED, its deduplication ID the debounce key), and the latest
    /// time a debounce may delay it to.
    var isDebounced = false
    var debounceDeadlineEpochMilliseconds: Int64? = nil
    /// The schedule whose tick enqueued it (set with the row, as DBOS does).
    var scheduleName: String? = nil
    /// The `attributes` JSON: DBOS's custom attributes, here the caller's trace (``TraceCarrier``).
    var attributes: String? = nil
}

/// The row that is in the database after an insert.
struct WorkflowInsertResult: Sendable, Equatable {
    var status: WorkflowState
    var name: String
    /// True when this insert created the row (so this caller owns its execution).
    var created: Bool
    var serialization: String?
}
