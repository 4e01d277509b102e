/// A PENDING workflow to recover.
struct PendingWorkflow: Sendable, Equatable {
    var id: String
    var name: String
    /// Who held the row when it was listed: a claim takes it only if it still does, so a stale
    /// listing cannot steal a workflow that moved on.
    var executorID: String?
    var ownerXID: String?
    /// The queue it was claimed from, when it was (it goes back there rather than run here).
    var queueName: String? = nil
}

extension PendingWorkflow {
    init(row: SQLRow) throws {
        self.init(id: try row.decode("workflow_uuid"), name: try row.decode("name"),
                  executorID: try row.decode("executor_id"), ownerXID: try row.decode("owner_xid"),
                  queueName: try row.decode("queue_name"))
    }
}

/// The result of claiming a workflow for recovery.
enum RecoveryClaim: Sendable {
    /// `attempts`: executions so far, this one included; `attributes`: the row's JSON (its trace).
    case claimed(inputs: String?, deadlineEpochMilliseconds: Int64?, attempts: Int, attributes: String?)
    case exceeded(attempts: Int)
    /// The row is no longer PENDING (finished, cancelled, or claimed by someone else).
    case notPending
}
