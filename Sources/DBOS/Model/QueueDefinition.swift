/// At most `limit` workflows started per `period`.
public struct RateLimit: Sendable, Equatable {
    /// How many workflows may start per period.
    public var limit: Int
    /// The sliding window the limit applies to.
    public var period: Duration
    /// At most `limit` starts per `period`.
    public init(limit: Int, period: Duration) {
        self.limit = limit
        self.period = period
    }
}

/// A queue's settings.
struct QueueDefinition: Sendable {
    /// The queue that runs resumed, forked and recovered workflows that had no queue.
    static let internalQueueName = "_dbos_internal_queue"

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
        // As DBOS 3.4: no limit may exceed the one it lives under.
        func atMost(_ inner: Int?, _ innerName: String, _ outer: Int?, _ outerName: String) throws {
            if let inner, let outer, inner > outer {
                throw DBOSError.invalidArgument(
                    "queue '\(name)': \(innerName) (\(inner)) must not be greater than \(outerName) (\(outer))")
            }
        }
        try atMost(workerConcurrency, "workerConcurrency", concurrency, "concurrency")
        try atMost(partitionConcurrency, "partitionConcurrency", concurrency, "concurrency")
        try atMost(partitionWorkerConcurrency, "partitionWorkerConcurrency", partitionConcurrency, "partitionConcurrency")
        try atMost(partitionWorkerConcurrency, "partitionWorkerConcurrency", workerConcurrency, "workerConcurrency")
        try atMost(partitionWorkerConcurrency, "partitionWorkerConcurrency", concurrency, "concurrency")
    }
}
