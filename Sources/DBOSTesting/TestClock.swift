public import DBOS
public import Foundation
import Synchronization

/// A ``DBOS/DBOSClock`` that moves only when a test moves it.
///
/// Give it to a runtime (``TestRuntime`` does) and every durable deadline — `DBOS.sleep`,
/// `recv` and `getEvent` timeouts, workflow and step timeouts, queue delays, rate-limit windows,
/// cron ticks — waits for ``advance(by:)`` instead of real time: a day-long `recv` times out as
/// soon as the test advances the clock by a day, the same way on every run.
///
/// A deadline is computed when the workflow reaches its wait, from the clock's time then. To
/// advance past a wait, first await ``waitForSleepers(_:)`` (the wait has begun), then advance.
///
/// ```swift
/// let handle = try await runtime.dbos.start($awaitApproval, "order-7")
/// await runtime.clock.waitForSleepers()              // the 24 h recv is waiting
/// await runtime.advance(by: .hours(24))
/// #expect(try await handle.result() == .expired)
/// ```
public final class TestClock: DBOSClock {
    private struct Sleeper {
        let deadline: Date
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct SleeperWatch {
        let count: Int
        let continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        var now: Date
        var sleepers: [UUID: Sleeper] = [:]
        var watches: [SleeperWatch] = []
    }

    private let state: Mutex<State>

    /// A clock that stands at `now` (default: the real time when it is created) until advanced.
    /// Its time is kept in whole milliseconds, the unit of every time DBOS stores.
    public init(now: Date = Date()) {
        state = Mutex(State(now: Self.wholeMilliseconds(now)))
    }

    /// The clock's current time.
    public var now: Date { state.withLock { $0.now } }

    /// How many tasks are sleeping on this clock now.
    public var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    /// The deadlines tasks are sleeping until, earliest first.
    public var pendingDeadlines: [Date] { state.withLock { $0.sleepers.values.map(\.deadline).sorted() } }

    /// Suspends until the clock is advanced to `deadline` or past it.
    public func sleep(until deadline: Date) async throws {
        let id = UUID()
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let (resumeNow, watches) = state.withLock { state -> (Bool, [SleeperWatch]) in
                    if Self.reached(deadline, at: state.now) { return (true, []) }
                    if Task.isCancelled {
                        return (true, [])
                    }
                    state.sleepers[id] = Sleeper(deadline: deadline, continuation: continuation)
                    return (false, Self.satisfiedWatches(&state))
                }
                if resumeNow { Task.isCancelled ? continuation.resume(throwing: CancellationError()) : continuation.resume() }
                for watch in watches { watch.continuation.resume() }
            }
        } onCancel: {
            let sleeper = state.withLock { $0.sleepers.removeValue(forKey: id) }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves the clock forward by `duration` and wakes every task whose deadline it reaches.
    public func advance(by duration: Duration) {
        let components = duration.components
        let seconds = Double(components.seconds) + Double(components.attoseconds) / 1e18
        advance(to: now.addingTimeInterval(seconds))
    }

    /// Moves the clock forward to `date` (never back) and wakes every task whose deadline it
    /// reaches, earliest deadline first.
    public func advance(to date: Date) {
        let due = state.withLock { state -> [Sleeper] in
            state.now = max(state.now, Self.wholeMilliseconds(date))
            let now = state.now
            let due = state.sleepers.filter { Self.reached($0.value.deadline, at: now) }
            for id in due.keys { state.sleepers[id] = nil }
            return due.values.sorted { $0.deadline < $1.deadline }
        }
        for sleeper in due { sleeper.continuation.resume() }
    }

    /// Returns once at least `count` tasks sleep on this clock (at once if they already do):
    /// the way to know a workflow has reached its durable wait before advancing past it.
    public func waitForSleepers(_ count: Int = 1) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { state -> Bool in
                if state.sleepers.count >= count { return true }
                state.watches.append(SleeperWatch(count: count, continuation: continuation))
                return false
            }
            if ready { continuation.resume() }
        }
    }

    /// Deadlines are compared in milliseconds: a deadline stored as epoch seconds and read back
    /// may differ from the clock's own sum by a rounding error far below that.
    private static func reached(_ deadline: Date, at now: Date) -> Bool {
        milliseconds(deadline) <= milliseconds(now)
    }

    private static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    private static func wholeMilliseconds(_ date: Date) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds(date)) / 1000)
    }

    private static func satisfiedWatches(_ state: inout State) -> [SleeperWatch] {
        let count = state.sleepers.count
        let satisfied = state.watches.filter { $0.count <= count }
        state.watches.removeAll { $0.count <= count }
        return satisfied
    }
}
