import Foundation

extension DBOS {
    /// Runs `body` as a checkpointed step of the current workflow.
    ///
    /// On first execution the body runs (with `retries`) and its output or error is recorded;
    /// when the workflow is recovered or re-run, the recorded outcome is returned without
    /// running the body again. Outside a workflow (or inside another step) the body simply runs.
    ///
    /// With a `timeout`, each attempt's task is cancelled at that deadline and the attempt fails
    /// with ``DBOSError/Code/stepTimedOut``, which `retries` may retry; once no attempt is left
    /// the error is recorded like any other. Cancellation is cooperative: a body that does not
    /// check for it (most async APIs do) ends its attempt only when it returns.
    public static func step<T: Codable & Sendable>(
        _ name: String, retries: RetryPolicy = .none, timeout: Duration? = nil, _ body: @Sendable () async throws -> T
    ) async throws -> T {
        guard let context = WorkflowContext.forOperation() else { return try await body() }
        return try await context.operation(name) { try await $0.runStep(retries: retries, timeout: timeout, body) }
    }

    /// Starts a step concurrently with the workflow and returns at once.
    ///
    /// The step's operation ID is reserved *now*, in call order, so a workflow that starts
    /// several steps and awaits them later replays deterministically. (Steps launched from a
    /// bare `TaskGroup` or `async let` would take IDs in completion order instead.)
    /// `timeout` applies to each attempt, as in ``step(_:retries:timeout:_:)``.
    public static func startStep<T: Codable & Sendable>(
        _ name: String, retries: RetryPolicy = .none, timeout: Duration? = nil, _ body: @escaping @Sendable () async throws -> T
    ) throws -> StepTask<T> {
        guard let context = WorkflowContext.forOperation() else { return StepTask(task: Task { try await body() }) }
        let operation: Operation<T> = try context.reserve(name) { try context.decoded($0) }
        return StepTask(task: Task { try await context.perform(operation) { try await $0.runStep(retries: retries, timeout: timeout, body) } })
    }

    /// Runs one checkpointed step per element concurrently, operation IDs in element order,
    /// and returns the results in the same order. `timeout` applies to each attempt of each step.
    public static func map<Element: Sendable, T: Codable & Sendable>(
        _ elements: [Element], step name: String, retries: RetryPolicy = .none, timeout: Duration? = nil,
        _ body: @escaping @Sendable (Element) async throws -> T
    ) async throws -> [T] {
        let tasks = try elements.map { element in try startStep(name, retries: retries, timeout: timeout) { try await body(element) } }
        var results: [T] = []
        results.reserveCapacity(tasks.count)
        for task in tasks { results.append(try await task.value) }
        return results
    }
}

/// A step started with ``DBOS/startStep(_:retries:timeout:_:)``; await ``value`` for its result.
public struct StepTask<T: Sendable>: Sendable {
    let task: Task<T, any Error>
    /// The step's result (or its error).
    public var value: T {
        get async throws { try await task.value }
    }
}
