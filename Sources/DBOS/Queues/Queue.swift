/// A durable queue. Workflows enqueued on it are run by any process that registered the
/// queue, within its limits:
///
/// ```swift
/// let indexing = Queue("indexing_queue", workerConcurrency: 10)
/// try dbos.register(queues: indexing)
/// let handle = try await dbos.enqueue(indexDocument, url, on: indexing)
/// ```
public struct Queue: Sendable, Hashable {
    /// The queue's name, stored in `workflow_status.queue_name`.
    public let name: String
    let definition: QueueDefinition

    /// - Parameters:
    ///   - workerConcurrency: most workflows of this queue running at once in one process.
    ///   - concurrency: most running at once across all processes.
    ///   - rateLimit: most started per period across all processes.
    ///   - priorityEnabled: dequeue lower `priority` values first (then FIFO); otherwise FIFO.
    ///   - partitionConcurrency: most running at once per partition key, across all processes.
    ///   - partitionWorkerConcurrency: most running at once per partition key in one process.
    ///   - partitionRateLimit: most started per period per partition key, across all processes.
    ///   - pollingInterval: how often an idle dispatcher checks for work from other processes.
    ///
    /// A queue with any `partition…` limit is *partitioned*: every workflow enqueued on it needs
    /// an ``EnqueueOptions/partitionKey``, and each partition gets its own budget under those
    /// limits (the queue-wide limits still apply to all partitions together).
    public init(_ name: String, workerConcurrency: Int? = nil, concurrency: Int? = nil, rateLimit: RateLimit? = nil,
                priorityEnabled: Bool = false, partitionConcurrency: Int? = nil, partitionWorkerConcurrency: Int? = nil,
                partitionRateLimit: RateLimit? = nil, pollingInterval: Duration = .seconds(1)) {
        self.name = name
        self.definition = QueueDefinition(
            name: name, workerConcurrency: workerConcurrency, concurrency: concurrency, rateLimit: rateLimit,
            priorityEnabled: priorityEnabled, partitionConcurrency: partitionConcurrency,
            partitionWorkerConcurrency: partitionWorkerConcurrency, partitionRateLimit: partitionRateLimit,
            pollingInterval: pollingInterval)
    }

    /// Whether the queue has per-partition limits (and so needs a partition key on enqueue).
    public var isPartitioned: Bool { definition.isPartitioned }

    public static func == (lhs: Queue, rhs: Queue) -> Bool { lhs.name == rhs.name }
    public func hash(into hasher: inout Hasher) { hasher.combine(name) }

    /// The queue that runs resumed, forked and recovered workflows that had no queue.
    static let internalQueue = Queue("_dbos_internal_queue")
}

/// At most `limit` workflows started per `period`.
public struct RateLimit: Sendable, Equatable {
    public var limit: Int
    public var period: Duration
    public init(limit: Int, period: Duration) {
        self.limit = limit
        self.period = period
    }
}

/// A queue's settings.
struct QueueDefinition: Sendable {
    var name: String
    var workerConcurrency: Int?
    var concurrency: Int?
    var rateLimit: RateLimit?
    var priorityEnabled: Bool
    var partitionConcurrency: Int?
    var partitionWorkerConcurrency: Int?
    var partitionRateLimit: RateLimit?
    var pollingInterval: Duration

    var isPartitioned: Bool { partitionConcurrency != nil || partitionWorkerConcurrency != nil || partitionRateLimit != nil }

    /// Whether claims must be serialized across processes (a budget shared between them).
    var hasSharedBudget: Bool { concurrency != nil || rateLimit != nil || partitionConcurrency != nil || partitionRateLimit != nil }

    /// Checks the limits are usable; the error names the first bad one.
    func validate() throws {
        func positive(_ value: Int?, _ what: String) throws {
            if let value, value < 1 { throw DBOSError.invalidArgument("queue '\(name)': \(what) must be at least 1, got \(value)") }
        }
        try positive(workerConcurrency, "workerConcurrency")
        try positive(concurrency, "concurrency")
        try positive(partitionConcurrency, "partitionConcurrency")
        try positive(partitionWorkerConcurrency, "partitionWorkerConcurrency")
        for (limit, what) in [(rateLimit, "rateLimit"), (partitionRateLimit, "partitionRateLimit")] {
            guard let limit else { continue }
            if limit.limit < 1 || limit.period <= .zero {
                throw DBOSError.invalidArgument("queue '\(name)': \(what) needs a limit of at least 1 and a positive period")
            }
        }
        if pollingInterval <= .zero { throw DBOSError.invalidArgument("queue '\(name)': pollingInterval must be positive") }
    }
}

/// Options for enqueueing one workflow.
public struct EnqueueOptions: Sendable {
    /// The workflow ID (idempotency key); default a random UUID.
    public var workflowID: String?
    /// At most one active workflow per (queue, deduplication ID); a second enqueue throws
    /// ``DBOSError/queueDeduplicated(queue:deduplicationID:)``, or returns the active
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
    /// Throw ``DBOSError/queueDeduplicated(queue:deduplicationID:)``.
    case throwError
    /// Return a handle to the active workflow that holds the deduplication ID.
    case returnExisting
}
