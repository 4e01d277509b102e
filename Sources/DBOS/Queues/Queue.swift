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
    ///   - name: the queue's name, unique in the system database.
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
    static let internalQueue = Queue(QueueDefinition.internalQueueName)
}
