import Foundation

/// How long a runtime keeps finished workflows (``DBOSConfig/retention``): every ``interval``
/// its maintenance deletes those that completed more than ``maxAge`` ago, keeping the
/// ``keepLatest`` most recent whatever their age (see
/// ``WorkflowManaging/garbageCollect(completedBefore:keepLatest:batchSize:)``).
public struct RetentionPolicy: Sendable, Equatable {
    /// How long a finished workflow is kept after it completed; nil: no age limit.
    public var maxAge: Duration?
    /// How many of the most recently completed workflows are kept whatever their age; nil: no
    /// such floor (with ``maxAge`` nil, at most this many finished workflows remain).
    public var keepLatest: Int?
    /// How often the runtime collects; the first collection runs at launch. Default one hour.
    public var interval: Duration

    /// A policy; give at least one of `maxAge` and `keepLatest`.
    public init(maxAge: Duration? = nil, keepLatest: Int? = nil, interval: Duration = .seconds(3600)) {
        self.maxAge = maxAge
        self.keepLatest = keepLatest
        self.interval = interval
    }
}
