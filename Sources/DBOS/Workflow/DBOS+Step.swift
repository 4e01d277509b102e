import Foundation

extension DBOS {
    /// Runs `body` as a checkpointed step of the current workflow.
    ///
    /// On first execution the body runs (with `retries`) and its output or error is recorded;
    /// when the workflow is recovered or re-run, the recorded outcome is returned without
    /// running the body again. Outside a workflow (or inside another step) the body simply runs.
    public static func step<T: Codable & Sendable>(
        _ name: String, retries: RetryPolicy = .none, _ body: @Sendable () async throws -> T
    ) async throws -> T {
        guard let context = WorkflowContext.current, !WorkflowContext.insideStep else {
            return try await body()
        }
        try context.checkRunnable()
        return try await context.runStep(functionID: context.nextFunctionID(), name: name, retries: retries, body)
    }

    /// Starts a step concurrently with the workflow and returns at once.
    ///
    /// The step's operation ID is reserved *now*, in call order, so a workflow that starts
    /// several steps and awaits them later replays deterministically. (Steps launched from a
    /// bare `TaskGroup` or `async let` would take IDs in completion order instead.)
    public static func startStep<T: Codable & Sendable>(
        _ name: String, retries: RetryPolicy = .none, _ body: @escaping @Sendable () async throws -> T
    ) throws -> StepTask<T> {
        guard let context = WorkflowContext.current, !WorkflowContext.insideStep else {
            return StepTask(task: Task { try await body() })
        }
        try context.checkRunnable()
        let functionID = context.nextFunctionID()
        return StepTask(task: Task {
            try await context.runStep(functionID: functionID, name: name, retries: retries, body)
        })
    }

    /// Runs one checkpointed step per element concurrently, operation IDs in element order,
    /// and returns the results in the same order.
    public static func map<Element: Sendable, T: Codable & Sendable>(
        _ elements: [Element], step name: String, retries: RetryPolicy = .none,
        _ body: @escaping @Sendable (Element) async throws -> T
    ) async throws -> [T] {
        let tasks = try elements.map { element in try startStep(name, retries: retries) { try await body(element) } }
        var results: [T] = []
        results.reserveCapacity(tasks.count)
        for task in tasks { results.append(try await task.value) }
        return results
    }
}

/// A step started with ``DBOS/startStep(_:retries:_:)``; await ``value`` for its result.
public struct StepTask<T: Sendable>: Sendable {
    let task: Task<T, any Error>
    /// The step's result (or its error).
    public var value: T {
        get async throws { try await task.value }
    }
}

extension WorkflowContext {
    /// The step protocol: replay a recorded outcome, or run the body and record its outcome.
    func runStep<T: Codable & Sendable>(
        functionID: Int, name: String, retries: RetryPolicy, _ body: @Sendable () async throws -> T
    ) async throws -> T {
        if let record = try recorded(functionID, expecting: name) {
            return try replay(record, as: T.self)
        }
        let started = Date()
        let value: T
        do {
            value = try await WorkflowContext.$insideStep.withValue(true) {
                try await retries.run(step: name, pause: { try await self.runtime.pause(for: $0) }, body)
            }
        } catch {
            if case DBOSError.shuttingDown = error { throw error }
            let ours = StepRecord(
                workflowID: workflowID, functionID: functionID, functionName: name,
                error: try PortableJSON.encode(WorkflowFailure(error)), startedAt: started, completedAt: Date())
            let stored = try await record(ours)
            // Another execution recorded this step first: its outcome is the one that counts.
            if stored != ours { return try replay(stored, as: T.self) }
            throw error
        }
        let ours = StepRecord(
            workflowID: workflowID, functionID: functionID, functionName: name,
            output: try PortableJSON.encode(value), startedAt: started, completedAt: Date())
        let stored = try await record(ours)
        if stored != ours { return try replay(stored, as: T.self) }
        return value
    }
}
