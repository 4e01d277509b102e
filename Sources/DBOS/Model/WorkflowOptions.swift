/// Options for starting one workflow.
public struct WorkflowOptions: Sendable {
    /// The workflow ID, which is also its idempotency key. Default: a random UUID
    /// (for a child workflow: `<parent ID>-<operation ID>`).
    public var workflowID: String?
    /// Cancel the workflow if it has not finished this long after it starts. Child workflows
    /// inherit the deadline.
    public var timeout: Duration?
    /// Whether a child started without a `timeout` of its own inherits its parent's deadline
    /// (the default). Set false for a child that must outlive it, as DBOS's
    /// `SetWorkflowTimeout(None)`: it then has no deadline.
    public var inheritsDeadline: Bool

    /// Options for one start; every one is optional.
    public init(workflowID: String? = nil, timeout: Duration? = nil, inheritsDeadline: Bool = true) {
        self.workflowID = workflowID
        self.timeout = timeout
        self.inheritsDeadline = inheritsDeadline
    }
}
