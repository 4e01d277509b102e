/// What one dispatcher asks for when claiming.
struct QueueClaim: Sendable {
    var definition: QueueDefinition
    var executorID: String
    var applicationVersion: String
    /// Most workflows to claim (the free local slots).
    var limit: Int
    /// The workflow names this process can run.
    var workflowNames: [String]
    /// The payload format this process can read; rows in another format are left for others.
    var readableFormat: String
    /// The partition to claim from, on a partitioned queue.
    var partitionKey: String?
}

/// A workflow this process has just claimed from a queue.
struct ClaimedWorkflow: Sendable {
    var workflowID: String
    var name: String
    var ownerXID: String
    var inputs: String?
    var hasSteps: Bool
    /// Dispatches so far, this one included (a workflow that keeps crashing its worker is
    /// dead-lettered past its limit).
    var recoveryAttempts: Int
    var deadlineEpochMilliseconds: Int64?
    var partitionKey: String?
    /// The row's `attributes` JSON (it carries the trace of whoever enqueued it).
    var attributes: String?
}
