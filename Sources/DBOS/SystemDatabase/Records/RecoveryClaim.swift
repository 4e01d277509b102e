/// A PENDING workflow to recover.
struct PendingWorkflow: Sendable, Equatable {
    var id: String
    var name: String
}

/// The result of claiming a workflow for recovery.
enum RecoveryClaim: Sendable {
    case claimed(inputs: String?, deadlineEpochMilliseconds: Int64?)
    case exceeded(attempts: Int)
    /// The row is no longer PENDING (finished, cancelled, or claimed by someone else).
    case notPending
}
