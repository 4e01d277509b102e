public import DBOS
import Synchronization

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

/// Runs `body`, failing with ``AgentError/timedOut(what:after:)`` when it takes longer than
/// `limit`. The body runs in a task of its own (with the caller's task-local values, so a step's
/// context); on timeout it is cancelled and left to end on its own: the caller does not wait for
/// a body that ignores cancellation (an MCP request to a server that stopped answering).
func withTimeout<T: Sendable>(_ limit: Duration, _ what: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    let work = Task { try await body() }
    let outcome = FirstOutcome<T>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { continuation in
            outcome.deliver(to: continuation)
            Task { outcome.settle(await work.result) }
            Task {
                try? await Task.sleep(for: limit)
                if outcome.settle(.failure(AgentError.timedOut(what: what, after: limit))) { work.cancel() }
            }
        }
    } onCancel: {
        work.cancel()
    }
}

/// The first of several racing results, handed to one continuation.
private final class FirstOutcome<T: Sendable>: Sendable {
    private let state = Mutex<(continuation: CheckedContinuation<T, any Error>?, result: Result<T, any Error>?, settled: Bool)>((nil, nil, false))

    func deliver(to continuation: CheckedContinuation<T, any Error>) {
        let ready = state.withLock { state -> Result<T, any Error>? in
            state.continuation = continuation
            return state.result
        }
        if let ready { continuation.resume(with: ready) }
    }

    /// Records `result` if nothing settled before; returns whether it did.
    @discardableResult
    func settle(_ result: Result<T, any Error>) -> Bool {
        let (won, continuation) = state.withLock { state -> (Bool, CheckedContinuation<T, any Error>?) in
            guard !state.settled else { return (false, nil) }
            state.settled = true
            guard let continuation = state.continuation else {
                state.result = result
                return (true, nil)
            }
            state.continuation = nil
            return (true, continuation)
        }
        continuation?.resume(with: result)
        return won
    }
}
