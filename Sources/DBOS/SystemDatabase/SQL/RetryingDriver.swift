import Foundation
import Logging
import Synchronization

/// Rides out transient database failures: a statement or transaction that fails because the
/// server is unreachable, restarting or starting, because a SQLite lock outlived the busy
/// timeout, or because a transaction lost a serialization conflict is tried again, with capped
/// exponential backoff and jitter, for as long as the calling task runs. Workflows wait through
/// an outage instead of failing; one warning names the outage, one notice its end.
///
/// Safe to repeat because every write is: operation records are `INSERT ... ON CONFLICT DO
/// NOTHING` and a refused record reads back the one already there; workflow and message rows
/// carry IDs chosen before the first try; completions only move PENDING rows owned by the
/// caller. A write whose commit was lost with its connection is found done on the retry.
///
/// With a driver whose requests can be lost when a connection dies under them (postgres-nio
/// 1.33 drops a query written to a connection that closed after it was leased, and never
/// completes it), each attempt runs in a task of its own that a watchdog abandons and retries:
/// after 2 seconds when a failure (a failed request, or the change feed reconnecting; not an
/// abandoned attempt) was seen while it ran or in the 5 seconds before it began, after 60
/// seconds otherwise.
final class RetryingDriver: SQLDriver {
    private let inner: any SQLDriver
    private let logger: Logger
    private let metrics: RuntimeMetrics
    private let watchesAttempts: Bool
    private let state = Mutex(State())

    /// The first wait after a failure, and the longest.
    static let firstDelay = Duration.milliseconds(50)
    static let longestDelay = Duration.seconds(2)
    /// How long an attempt may run when a failure was seen since it began, and at all.
    static let attemptTimeoutAfterFailure = Duration.seconds(2)
    static let attemptTimeout = Duration.seconds(60)
    /// Attempts that begin this soon after a failure get the short timeout too.
    static let suspectAfterFailure = Duration.seconds(5)

    private struct State {
        /// The current outage: when it began, how many attempts failed, the last failure, and
        /// how many callers are retrying.
        var outageSince: ContinuousClock.Instant?
        var failures = 0
        var waiting = 0
        var lastFailure: ContinuousClock.Instant?
        /// Attempts the watchdog looks after.
        var attempts: [UUID: Attempt] = [:]
    }

    private struct Attempt {
        let started: ContinuousClock.Instant
        let abandon: @Sendable () -> Void
    }

    /// `watchAttempts`: run each attempt under the watchdog (see above).
    init(_ inner: any SQLDriver, watchAttempts: Bool, logger: Logger, metrics: RuntimeMetrics) {
        self.inner = inner
        self.metrics = metrics
        self.watchesAttempts = watchAttempts
        self.logger = logger
    }

    var dialect: SQLDialect { inner.dialect }
    var fallbackPollInterval: Duration { inner.fallbackPollInterval }
    /// Not retried: a database unreachable at startup is reported at once.
    func open(creating: Bool, listening: Bool) async throws { try await inner.open(creating: creating, listening: listening) }
    func close() async { await inner.close() }

    func run() async {
        guard watchesAttempts else { return await inner.run() }
        await withDiscardingTaskGroup { group in
            group.addTask { await self.watchAttempts() }
            await inner.run()
            group.cancelAll()
        }
    }

    func runChangeFeed(channels: [ChangeChannel], _ onSignal: @escaping @Sendable (ChangeChannel?, String) -> Void) async {
        // The feed reconnecting means its connection was lost: requests that were in flight
        // then may have been lost with theirs, so the watchdog treats it as a failure.
        await inner.runChangeFeed(channels: channels) { channel, payload in
            if channel == nil, self.watchesAttempts { self.state.withLock { $0.lastFailure = .now } }
            onSignal(channel, payload)
        }
    }

    func read(_ query: SQLQuery) async throws -> [SQLRow] {
        try await retrying(query) { try await self.inner.read(query) }
    }

    func write(_ query: SQLQuery) async throws -> [SQLRow] {
        try await retrying(query) { try await self.inner.write(query) }
    }

    func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLExecutor) async throws -> T) async throws -> T {
        try await retrying(nil) { try await self.inner.transaction(body) }
    }

    /// Runs `body` until it succeeds or fails for a reason that will not go away; a cancelled
    /// task stops waiting (`CancellationError`).
    private func retrying<T: Sendable>(_ query: SQLQuery?, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        var delay = Self.firstDelay
        var waiting = false
        while true {
            do {
                let result = watchesAttempts ? try await watched(body) : try await body()
                if waiting { stoppedWaiting(succeeded: true) }
                return result
            } catch where error.isTransientDatabaseFailure {
                failed(error, query, firstForCaller: !waiting)
                waiting = true
                do {
                    try await Task.sleep(for: delay * Double.random(in: 0.75...1.25))   // jitter: callers do not retry in step
                } catch {
                    stoppedWaiting(succeeded: false)
                    throw error
                }
                delay = min(delay * 2, Self.longestDelay)
            } catch {
                if waiting { stoppedWaiting(succeeded: false) }
                throw error
            }
        }
    }

    // MARK: Outages

    /// An outage begins with the first failure and ends when every caller that met a failure
    /// has got through (a read that succeeds while writes still wait for a lock does not end it).
    private func failed(_ error: any Error, _ query: SQLQuery?, firstForCaller: Bool) {
        let failure = (error as? DBOSError)?.databaseFailure
        metrics.databaseRetried(reason: failure.map { "\($0)" } ?? "unavailable")
        let first = state.withLock { state -> Bool in
            state.failures += 1
            // An abandoned attempt does not renew the suspicion it was abandoned under: a
            // request that waits on a lock would otherwise be abandoned and retried forever.
            if failure != .noAnswer { state.lastFailure = .now }
            if firstForCaller { state.waiting += 1 }
            guard state.outageSince == nil else { return false }
            state.outageSince = .now
            return true
        }
        if first {
            logger.warning("system database unavailable: waiting for it and retrying (workflows pause, nothing fails)",
                           metadata: ["error": "\(error)", "waiting": "\(query?.source ?? "a transaction")"])
        }
    }

    private func stoppedWaiting(succeeded: Bool) {
        let ended = state.withLock { state -> (Duration, Int)? in
            state.waiting -= 1
            guard state.waiting == 0, let since = state.outageSince else { return nil }
            defer { state.outageSince = nil; state.failures = 0 }
            return succeeded ? (ContinuousClock.now - since, state.failures) : nil
        }
        if let (lasted, failures) = ended {
            logger.notice("system database available again", metadata: ["outage": "\(lasted)", "failedAttempts": "\(failures)"])
        }
    }

    // MARK: Watched attempts

    /// `body` in a task of its own, which the watchdog may abandon (its caller then retries).
    private func watched<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let id = UUID()
        let outcome = OnceResult<T>()
        let work = Task { outcome.complete(await Result(catching: body)) }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                // Registered before the handler, which removes it: a finished attempt never stays behind.
                state.withLock { state in
                    state.attempts[id] = Attempt(started: .now) {
                        // The verdict first: cancelling the attempt makes it fail with a
                        // CancellationError, which must not be taken for the caller's own.
                        outcome.complete(.failure(DBOSError.databaseError(
                            operation: "a request", reason: "no answer from the system database: abandoned and retried",
                            failure: .noAnswer)))
                        work.cancel()
                    }
                }
                outcome.onComplete { result in
                    self.state.withLock { _ = $0.attempts.removeValue(forKey: id) }
                    continuation.resume(with: result)
                }
            }
        } onCancel: {
            outcome.complete(.failure(CancellationError()))
            work.cancel()
        }
    }

    /// Twice a second: abandons attempts that outlived their timeout.
    private func watchAttempts() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(500))
            let now = ContinuousClock.now
            let stuck = state.withLock { state -> [Attempt] in
                let failureSince = state.lastFailure
                return state.attempts.values.filter { attempt in
                    let age = now - attempt.started
                    if age > Self.attemptTimeout { return true }
                    // Suspect: a failure was seen while it ran, or just before it began (it may
                    // have been handed a connection that died in that failure).
                    guard let failureSince, failureSince > attempt.started - Self.suspectAfterFailure else { return false }
                    return age > Self.attemptTimeoutAfterFailure
                }
            }
            if !stuck.isEmpty {
                logger.warning("system database requests got no answer: abandoning and retrying them", metadata: ["count": "\(stuck.count)"])
            }
            for attempt in stuck { attempt.abandon() }
        }
    }
}

/// A result delivered once, to one handler registered before or after it arrives.
private final class OnceResult<T: Sendable>: Sendable {
    private struct State {
        var result: Result<T, any Error>?
        var handler: (@Sendable (Result<T, any Error>) -> Void)?
        var delivered = false
    }

    private let state = Mutex(State())

    func complete(_ result: Result<T, any Error>) {
        let deliver = state.withLock { state -> (@Sendable (Result<T, any Error>) -> Void)? in
            guard state.result == nil else { return nil }
            state.result = result
            guard let handler = state.handler, !state.delivered else { return nil }
            state.delivered = true
            return handler
        }
        deliver?(result)
    }

    func onComplete(_ handler: @escaping @Sendable (Result<T, any Error>) -> Void) {
        let ready = state.withLock { state -> Result<T, any Error>? in
            state.handler = handler
            guard let result = state.result, !state.delivered else { return nil }
            state.delivered = true
            return result
        }
        if let ready { handler(ready) }
    }
}

extension Result where Failure == any Error {
    /// The result of an async throwing body.
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
