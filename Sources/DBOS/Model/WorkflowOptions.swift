/// Options for starting one workflow.
public struct WorkflowOptions: Sendable {
    /// The workflow ID, which is also its idempotency key. Default: a random UUID
    /// (for a child workflow: `<parent ID>-<operation ID>`).
    public var workflowID: String?
    /// Cancel the workflow if it has not finished this long after it starts. Child workflows
    /// inherit the deadline.
    public var timeout: Duration?

    /// Options for one start; both are optional.
    public init(workflowID: String? = nil, timeout: Duration? = nil) {
        self.workflowID = workflowID
        self.timeout = timeout
    }
}
