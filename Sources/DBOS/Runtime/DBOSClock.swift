public import Foundation

/// The time a runtime's workflows live in: every durable deadline is measured on it.
///
/// A runtime reads its ``DBOSConfig/clock`` for the wall-clock time it records (start and
/// completion times, ``DBOS/now()``) and for every deadline a workflow can wait for: durable
/// sleep, `recv` and `getEvent` timeouts, workflow timeouts and step timeouts, queue delays,
/// rate-limit windows and cron ticks. The default, ``WallClock``, is the machine's time. A test
/// passes a clock it moves by hand (`DBOSTesting`'s `TestClock`), so a day-long wait ends at
/// once and in the same way on every run.
///
/// The runtime's own liveness timing — executor leases, database retry backoff, polling
/// intervals — stays in real time: it concerns processes and connections, not workflows.
public protocol DBOSClock: Sendable {
    /// The current time.
    var now: Date { get }

    /// Suspends until ``now`` has reached `deadline`; returns at once when it already has.
    ///
    /// - Throws: `CancellationError` when the calling task is cancelled first.
    func sleep(until deadline: Date) async throws
}

/// The machine's real time: `Date()`, and `Task.sleep` for what is left until a deadline.
public struct WallClock: DBOSClock {
    /// The machine's clock.
    public init() {}

    /// `Date()`.
    public var now: Date { Date() }

    /// Sleeps for the time left until `deadline`.
    public func sleep(until deadline: Date) async throws {
        let remaining = deadline.timeIntervalSinceNow
        guard remaining > 0 else { return try Task.checkCancellation() }
        try await Task.sleep(for: .kept(seconds: remaining + 0.000_5))   // rounded up to the millisecond
    }
}

extension DBOSClock where Self == WallClock {
    /// The machine's real time (the default clock of a runtime).
    public static var wall: WallClock { WallClock() }
}

extension DBOSClock {
    /// The current time in epoch milliseconds, the unit of every time DBOS stores.
    var nowMilliseconds: Int64 { now.epochMilliseconds }

    /// Whether this is the machine's real time (so the database's clock is an equivalent,
    /// and jitter between processes makes sense).
    var isWallClock: Bool { self is WallClock }
}
