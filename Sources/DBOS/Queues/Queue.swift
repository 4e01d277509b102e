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
    ///   - partitioned: limits apply per partition key (``EnqueueOptions/partitionKey``).
    ///   - pollingInterval: how often an idle dispatcher checks for work from other processes.
    public init(_ name: String, workerConcurrency: Int? = nil, concurrency: Int? = nil, rateLimit: RateLimit? = nil,
                priorityEnabled: Bool = false, partitioned: Bool = false, pollingInterval: Duration = .seconds(1)) {
        self.name = name
        self.definition = QueueDefinition(
            name: name, workerConcurrency: workerConcurrency, concurrency: concurrency, rateLimit: rateLimit,
            priorityEnabled: priorityEnabled, partitioned: partitioned, pollingInterval: pollingInterval)
    }

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
    var partitioned: Bool
    var pollingInterval: Duration
}

/// Options for enqueueing one workflow.
public struct EnqueueOptions: Sendable {
    /// The workflow ID (idempotency key); default a random UUID.
    public var workflowID: String?
    /// At most one active workflow per (queue, deduplication ID); a second enqueue throws
    /// ``DBOSError/queueDeduplicated(queue:deduplicationID:)``.
    public var deduplicationID: String?
    /// Lower runs first on a queue with `priorityEnabled` (default 0).
    public var priority: Int
    /// Start no earlier than this long after enqueueing (the row is DELAYED until then).
    public var delay: Duration?
    /// The partition of a partitioned queue.
    public var partitionKey: String?
    /// Cancel the workflow if it has not finished this long after it is dequeued.
    public var timeout: Duration?
    /// Only executors running this application version dequeue it (default: this runtime's).
    public var applicationVersion: String?

    public init(workflowID: String? = nil, deduplicationID: String? = nil, priority: Int = 0, delay: Duration? = nil,
                partitionKey: String? = nil, timeout: Duration? = nil, applicationVersion: String? = nil) {
        self.workflowID = workflowID
        self.deduplicationID = deduplicationID
        self.priority = priority
        self.delay = delay
        self.partitionKey = partitionKey
        self.timeout = timeout
        self.applicationVersion = applicationVersion
    }
}
