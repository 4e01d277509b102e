/// Options for enqueueing one workflow.
public struct EnqueueOptions: Sendable {
    /// The workflow ID (idempotency key); default a random UUID.
    public var workflowID: String?
    /// At most one active workflow per (queue, deduplication ID); a second enqueue throws
    /// ``DBOSError/Code/queueDeduplicated``, or returns the active
    /// workflow's handle when ``onDuplicate`` is ``DuplicatePolicy/returnExisting``.
    public var deduplicationID: String?
    /// What an enqueue whose `deduplicationID` is taken does. ``DuplicatePolicy/returnExisting``
    /// needs a `deduplicationID`.
    public var onDuplicate: DuplicatePolicy
    /// Lower runs first on a queue with `priorityEnabled`: 0 (the default, first) up to
    /// ``maxPriority``, as DBOS's 1 to 2³¹−1; a value outside is rejected.
    public var priority: Int
    /// Start no earlier than this long after enqueueing (the row is DELAYED until then).
    public var delay: Duration?
    /// The partition of a partitioned queue (required there; not allowed together with a
    /// `deduplicationID`).
    public var partitionKey: String?
    /// Cancel the workflow if it has not finished this long after it is dequeued.
    public var timeout: Duration?
    /// Whether a workflow enqueued by a workflow, without a `timeout` of its own, inherits the
    /// enqueuer's deadline (the default); see ``WorkflowOptions/inheritsDeadline``.
    public var inheritsDeadline: Bool = true
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

extension EnqueueOptions {
    /// The largest priority (the largest 32-bit integer, the column's type).
    public static let maxPriority = Int(Int32.max)
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
        if !(0...Self.maxPriority).contains(priority) {
            throw DBOSError.invalidArgument(
                "enqueueing '\(workflowName)' on queue '\(queue)': priority \(priority) is out of range 0...\(Self.maxPriority)")
        }
        if onDuplicate == .returnExisting && deduplicationID == nil {
            throw DBOSError.invalidArgument(
                "enqueueing '\(workflowName)' on queue '\(queue)': onDuplicate .returnExisting needs a deduplicationID")
        }
    }
}
