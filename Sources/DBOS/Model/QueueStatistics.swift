public import Foundation

/// One queue's load and limits, read from the system database in one aggregate query (no
/// workflow rows are loaded, however long the history).
///
/// The load counts the workflows of `workflow_status` on the queue; the limits are those the
/// last worker to register the queue stored in the `queues` table (nil when no worker of this
/// library or DBOS Transact 3.4 has registered it).
public struct QueueStatistics: Sendable, Equatable, Codable {
    /// The queue's name.
    public var name: String
    /// Workflows waiting to be dequeued (`ENQUEUED`).
    public var enqueued: Int
    /// Workflows dequeued and not finished (`PENDING`).
    public var running: Int
    /// When the oldest waiting workflow was enqueued, if any waits.
    public var oldestEnqueuedAt: Date?
    /// The limits stored by the workers that serve the queue, when one registered it.
    public var limits: Limits?

    /// A queue's limits as registered (nil fields are unlimited).
    public struct Limits: Sendable, Equatable, Codable {
        /// At most this many of the queue's workflows run at once across all workers.
        public var concurrency: Int?
        /// At most this many run at once on one worker.
        public var workerConcurrency: Int?
        /// At most this many start per ``rateLimitPeriodSeconds``.
        public var rateLimitMax: Int?
        /// The rate limit's window, in seconds.
        public var rateLimitPeriodSeconds: Double?
        /// Whether workflows are dequeued by priority.
        public var priorityEnabled: Bool
        /// Whether the queue is partitioned (limits apply per partition key).
        public var partitioned: Bool

        /// Limits as stored.
        public init(concurrency: Int?, workerConcurrency: Int?, rateLimitMax: Int?, rateLimitPeriodSeconds: Double?,
                    priorityEnabled: Bool, partitioned: Bool) {
            self.concurrency = concurrency
            self.workerConcurrency = workerConcurrency
            self.rateLimitMax = rateLimitMax
            self.rateLimitPeriodSeconds = rateLimitPeriodSeconds
            self.priorityEnabled = priorityEnabled
            self.partitioned = partitioned
        }
    }

    /// Statistics as read.
    public init(name: String, enqueued: Int, running: Int, oldestEnqueuedAt: Date?, limits: Limits?) {
        self.name = name
        self.enqueued = enqueued
        self.running = running
        self.oldestEnqueuedAt = oldestEnqueuedAt
        self.limits = limits
    }
}
