/// Options of a debounce (``DBOS/debounce(_:key:period:_:options:)``).
public struct DebounceOptions: Sendable {
    /// The queue the debounced workflow runs from (default: DBOS's internal queue, as in DBOS).
    /// A partitioned queue cannot be used: debouncing needs deduplication.
    public var queueName: String?
    /// The longest a burst may delay the workflow, from the first debounce of the burst: later
    /// debounces do not push its start past this (DBOS's `debounce_timeout_sec`). Default: none.
    public var timeout: Duration?
    /// The new workflow's ID, when a debounce enqueues one (default: a random UUID).
    public var workflowID: String?

    /// Options for a debounce; every one is optional.
    public init(queueName: String? = nil, timeout: Duration? = nil, workflowID: String? = nil) {
        self.queueName = queueName
        self.timeout = timeout
        self.workflowID = workflowID
    }
}
