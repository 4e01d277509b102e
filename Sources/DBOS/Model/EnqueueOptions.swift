/// Options for enqueueing one workflow.
public struct EnqueueOptions: Sendable {
    /// The workflow ID (idempotency key); default a random UUID.
    public var workflowID: String?
    /// At most one active workflow per (queue, deduplication ID); a second enqueue throws
    /// ``DBOSError/Code/queueDeduplicated``, or returns the active
    /// workflow's handle when ``onDuplicate`` is ``DuplicatePolicy/returnExisting``.
    public var deduplicationID: String?
    /// What an enqueue whose `deduplicationID` is taken does.
    public var onDuplicate: DuplicatePolicy
    /// Lower runs first on a queue with `priorityEnabled` (default 0).
    public var priority: Int
    /// Start no earlier than this long after enqueueing (the row is DELAYED until then).
    public var delay: Duration?
    /// The partition of a partitioned queue (required there; not allowed together with a
    /// `deduplicationID`).
    public var partitionKey: String?
    /// Cancel the workflow if it has not finished this long after it is dequeued.
    public var timeout: Duration?
    /// Only executors running this application version dequeue it (default: this runtime's).
    public var applicationVersion: String?

    /// Options for one enqueue; every one is optional.
    public init(workflowID: String? = nil, deduplicationID: String? = nil, onDuplicate: DuplicatePolicy = .throwError,
                priority: Int = 0, delay: Duration? = nil, partitionKey: String? = nil, timeout: Duration? = nil,
                applicationVersion: String? = nil) {
        self.workflowID = workflowID
        self.deduplicationID = deduplicationID
        self.onDuplicate = onDuplicate
        self.priority = priority
        self.delay = delay
        self.partitionKey = partitionKey
        self.timeout = timeout
        self.applicationVersion = applicationVersion
    }
}

/// What an enqueue does when its deduplication ID is already taken by an active workflow.
public enum DuplicatePolicy: Sendable, Equatable {
    /// Throw ``DBOSError/Code/queueDeduplicated``.
    case throwError
    /// Return a handle to the active workflow that holds the deduplication ID.
    case returnExisting
}

extension EnqueueOptions {
    /// Rejects combinations no queue accepts; the error names the workflow and queue.
    func validate(workflowName: String, queue: String) throws {
        if partitionKey != nil && deduplicationID != nil {
            throw DBOSError.invalidArgument(
                "enqueueing '\(workflowName)' on queue '\(queue)': a partition key and a deduplication ID cannot be combined")
        }
        if let delay, delay < .zero {
            throw DBOSError.invalidArgument("enqueueing '\(workflowName)' on queue '\(queue)': delay must not be negative")
        }
    }
}
