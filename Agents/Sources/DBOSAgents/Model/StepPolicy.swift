public import DBOS

/// How one kind of agent step runs: its retry policy and the timeout of each attempt.
public struct StepPolicy: Sendable {
    /// Retries of the step (each attempt has the full ``timeout``).
    public var retries: RetryPolicy
    /// How long one attempt may take; an attempt that takes longer fails with ``AgentError/timedOut(what:after:)``.
    public var timeout: Duration

    /// Creates a policy.
    public init(retries: RetryPolicy = .none, timeout: Duration = .seconds(120)) {
        self.retries = retries
        self.timeout = timeout
    }

    /// One attempt of at most two minutes.
    public static let `default` = StepPolicy()
}

/// Runs `body`, failing with ``AgentError/timedOut(what:after:)`` (and cancelling it) when it
/// takes longer than `limit`.
func withTimeout<T: Sendable>(_ limit: Duration, _ what: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else {
            throw AgentError.timedOut(what: what, after: limit)
        }
        return value
    }
}
