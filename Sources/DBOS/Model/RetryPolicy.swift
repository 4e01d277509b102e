/// How a step retries when its body throws.
///
/// Only the final attempt's outcome is recorded. When every attempt fails the step throws
/// ``DBOSError/Code/maxStepRetriesExceeded`` carrying every attempt's error.
public struct RetryPolicy: Sendable {
    /// Total attempts, including the first (1 means no retry).
    public var maxAttempts: Int
    /// The wait before the second attempt.
    public var initialInterval: Duration
    /// The factor applied to the wait after each failed attempt.
    public var backoffRate: Double
    /// The longest wait between attempts.
    public var maxInterval: Duration
    /// Which errors are retried; others fail the step at once.
    public var shouldRetry: @Sendable (any Error) -> Bool

    /// Retries a failing step up to `maxAttempts` times, waiting `initialInterval` and then
    /// `backoffRate` times longer each time (at most `maxInterval`), for errors `retryIf` accepts.
    public init(maxAttempts: Int, initialInterval: Duration = .seconds(1), backoffRate: Double = 2,
                maxInterval: Duration = .seconds(3600), retryIf shouldRetry: @escaping @Sendable (any Error) -> Bool = { _ in true }) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialInterval = initialInterval
        self.backoffRate = backoffRate
        self.maxInterval = maxInterval
        self.shouldRetry = shouldRetry
    }

    /// No retries: the first error fails the step.
    public static let none = RetryPolicy(maxAttempts: 1)

    /// Exponential backoff: waits `initialInterval`, then times `backoffRate`, capped at `maxInterval`.
    public static func exponential(maxAttempts: Int = 3, initialInterval: Duration = .seconds(1), backoffRate: Double = 2,
                                   maxInterval: Duration = .seconds(3600),
                                   retryIf shouldRetry: @escaping @Sendable (any Error) -> Bool = { _ in true }) -> RetryPolicy {
        RetryPolicy(maxAttempts: maxAttempts, initialInterval: initialInterval, backoffRate: backoffRate,
                    maxInterval: maxInterval, retryIf: shouldRetry)
    }

    /// The wait after failed attempt number `attempt` (1-based).
    func delay(after attempt: Int) -> Duration {
        // In seconds, stopping once past the cap: a long retry run must not overflow.
        let cap = maxInterval.kept.seconds
        var delay = initialInterval.kept.seconds
        for _ in 1..<max(1, attempt) where delay < cap { delay *= backoffRate }
        return .kept(seconds: min(delay, cap))
    }

    /// Runs `body` with this policy. `pause` waits between attempts (durably interruptible by shutdown).
    func run<T>(step name: String, pause: (Duration) async throws -> Void,
                onRetry: (_ attempt: Int, _ error: any Error, _ delay: Duration) -> Void = { _, _, _ in },
                _ body: () async throws -> T) async throws -> T {
        var attempt = 1
        var errors: [WorkflowFailure] = []
        while true {
            do {
                return try await body()
            } catch {
                guard maxAttempts > 1 else { throw error }
                guard shouldRetry(error) else { throw error }
                errors.append(WorkflowFailure(error))
                guard attempt < maxAttempts else {
                    throw DBOSError.maxStepRetriesExceeded(step: name, errors: errors)
                }
                let delay = delay(after: attempt)
                onRetry(attempt, error, delay)
                try await pause(delay)
                attempt += 1
            }
        }
    }
}
