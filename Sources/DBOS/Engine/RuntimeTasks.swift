/// The runtime's structured work: every loop (queue dispatchers, schedules, lease keeper,
/// change feed, the drain) is a child task of one task group, which
/// ``DBOS/run()`` hosts in the caller's task (as a swift-service-lifecycle `Service`) and
/// ``DBOS/launch()`` hosts in the one task it starts for scripts.
///
/// Children are added through ``spawn(_:)`` from anywhere; ``finish()`` stops accepting
/// them, after which the group cancels what still runs and ends.
final class RuntimeTasks: Sendable {
    typealias Job = @Sendable () async -> Void

    private let jobs: AsyncStream<Job>
    private let continuation: AsyncStream<Job>.Continuation

    init() {
        (jobs, continuation) = AsyncStream<Job>.makeStream()
    }

    /// Runs `job` as a child of the group. Returns false when the group no longer accepts work.
    @discardableResult
    func spawn(_ job: @escaping Job) -> Bool {
        if case .enqueued = continuation.yield(job) { return true }
        return false
    }

    /// Stops accepting work: the group then cancels its remaining children and ends.
    func finish() { continuation.finish() }

    /// The group: adds every spawned job as a child until ``finish()`` (or cancellation), then
    /// cancels the children still running and waits for them.
    func run() async {
        await withDiscardingTaskGroup { group in
            for await job in jobs { group.addTask(operation: job) }
            group.cancelAll()
        }
    }
}

/// The one unstructured task of a runtime used from a script (``DBOS/launch()``,
/// ``DBOSClient``): it hosts the runtime's task group, which a service would run itself.
/// Detached, so it inherits no task-local state of its starter (a workflow context, or a
/// service group's graceful-shutdown scope, which would end the database pool early).
struct HostTask: Sendable {
    private let task: Task<Void, Never>

    init(_ body: @escaping @Sendable () async -> Void) {
        task = Task.detached(operation: body)
    }

    /// Waits for the hosted work to end.
    func wait() async { await task.value }

    func cancel() { task.cancel() }
}

/// Runs `body` outside the caller's graceful-shutdown scope, ending it when the caller is
/// cancelled. postgres-nio's pool closes as soon as the service group it runs in begins a
/// graceful shutdown; the runtime's connections must outlive the drain that shutdown starts,
/// so the runtime ends them itself once its workflows have stopped.
func shieldedFromGracefulShutdown(_ body: @escaping @Sendable () async -> Void) async {
    let task = Task.detached(operation: body)
    await withTaskCancellationHandler { await task.value } onCancel: { task.cancel() }
}
