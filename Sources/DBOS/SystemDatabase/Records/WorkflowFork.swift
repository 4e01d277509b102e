/// A fork to write: a new workflow that copies `workflowID`'s row, inputs and the records of its
/// operations before `startStep`, ENQUEUED on `queueName`.
struct WorkflowFork: Sendable {
    var workflowID: String
    var newID: String
    var startStep: Int
    var applicationVersion: String
    var queueName: String
    var partitionKey: String?
    /// The fork's own timeout (none by default, as in DBOS: the original's is not copied); its
    /// deadline is set when it is dequeued.
    var timeoutMilliseconds: Int64?
}
