import Foundation
import Synchronization

/// The outcome of a workflow execution, as stored.
struct WorkflowOutcome: Sendable {
    var state: WorkflowState
    var output: String?
    var error: String?
    var serialization: String?
    var recoveryAttempts: Int?
}

/// Workflows executing in this process: lets callers join a running workflow and be resumed
/// the moment it completes, instead of polling the database.
final class RunningWorkflows: Sendable {
    private struct Entry {
        var queueName: String?
        var partitionKey: String?
        var ownerXID: String
        var task: Task<Void, Never>?
        var waiters: [UUID: CheckedContinuation<WorkflowOutcome?, Never>] = [:]
        var cancelled = false
        /// The body has ended and its outcome is being written.
        var completing = false
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var idleWaiters: [UUID: CheckedContinuation<Void, Never>] = [:]
    }

    private let state = Mutex(State())

    /// Registers a workflow as running here. Returns false when it already runs here.
    func begin(_ workflowID: String, queueName: String?, partitionKey: String? = nil, ownerXID: String) -> Bool {
        state.withLock { state in
            if state.entries[workflowID] != nil { return false }
            state.entries[workflowID] = Entry(queueName: queueName, partitionKey: partitionKey, ownerXID: ownerXID)
            return true
        }
    }

    /// How many workflows of `queue` run here.
    func count(queue: String) -> Int { state.withLock { $0.entries.values.filter { $0.queueName == queue }.count } }

    /// How many workflows of one partition of `queue` run here.
    func count(queue: String, partition: String) -> Int {
        state.withLock { $0.entries.values.filter { $0.queueName == queue && $0.partitionKey == partition }.count }
    }

    /// Each running workflow with the owner token of its execution here.
    var owned: [(workflowID: String, ownerXID: String)] {
        state.withLock { $0.entries.map { ($0.key, $0.value.ownerXID) } }
    }

    /// The execution's body has ended; its outcome is being written.
    func markCompleting(_ workflowID: String) {
        state.withLock { $0.entries[workflowID]?.completing = true }
    }

    /// Stops the execution running here when it is not `ownerXID`'s: another claim took the
    /// workflow, so the stale execution is cancelled (it is woken from any wait, even a long
    /// durable sleep) instead of being waited for.
    func supersede(_ workflowID: String, by ownerXID: String) {
        let stale = state.withLock { state -> Task<Void, Never>? in
            guard let entry = state.entries[workflowID], entry.ownerXID != ownerXID else { return nil }
            state.entries[workflowID]?.cancelled = true
            return entry.task
        }
        stale?.cancel()
    }

    /// Keeps the execution's task, to cancel it when the runtime stops.
    func attach(_ workflowID: String, task: Task<Void, Never>) {
        state.withLock { $0.entries[workflowID]?.task = task }
    }

    /// Cancels every execution running here (its steps see task cancellation).
    func cancelAll() {
        for task in state.withLock({ $0.entries.values.compactMap(\.task) }) { task.cancel() }
    }

    func isRunning(_ workflowID: String) -> Bool { state.withLock { $0.entries[workflowID] != nil } }

    func isCancelled(_ workflowID: String) -> Bool { state.withLock { $0.entries[workflowID]?.cancelled ?? false } }

    /// Marks the execution running here cancelled and cancels its task, so that it stops now
    /// even in a long wait (a durable sleep, a receive) and frees its queue slot.
    func markCancelled(_ workflowID: String) {
        let task = state.withLock { state -> Task<Void, Never>? in
            state.entries[workflowID]?.cancelled = true
            return state.entries[workflowID]?.task
        }
        task?.cancel()
    }

    /// ``markCancelled(_:)`` for an execution whose ownership was found lost, unless its body
    /// has ended and it is writing its outcome: its own completion releases the row (no longer
    /// PENDING, no owner), which is not a loss of ownership.
    func stopLostExecution(_ workflowID: String) {
        let task = state.withLock { state -> Task<Void, Never>? in
            guard let entry = state.entries[workflowID], !entry.completing else { return nil }
            state.entries[workflowID]?.cancelled = true
            return entry.task
        }
        task?.cancel()
    }

    var count: Int { state.withLock { $0.entries.count } }

    /// Waits for a workflow running here. Returns nil at once when it does not run here, when it
    /// stopped without an outcome (shutdown, lost ownership), or when the calling task is cancelled.
    func wait(for workflowID: String) async -> WorkflowOutcome? {
        let id = UUID()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let registered = state.withLock { state in
                    guard state.entries[workflowID] != nil, !Task.isCancelled else { return false }
                    state.entries[workflowID]!.waiters[id] = continuation
                    return true
                }
                if !registered { continuation.resume(returning: nil) }
            }
        } onCancel: {
            state.withLock { $0.entries[workflowID]?.waiters.removeValue(forKey: id) }?.resume(returning: nil)
        }
    }

    /// Marks a workflow finished and hands its outcome to every waiter.
    /// Returns the queue the workflow was running for.
    @discardableResult
    func finish(_ workflowID: String, outcome: WorkflowOutcome?) -> String? {
        let (entry, idle) = state.withLock { state -> (Entry?, [CheckedContinuation<Void, Never>]) in
            let entry = state.entries.removeValue(forKey: workflowID)
            guard state.entries.isEmpty else { return (entry, []) }
            defer { state.idleWaiters.removeAll() }
            return (entry, Array(state.idleWaiters.values))
        }
        for waiter in (entry?.waiters ?? [:]).values { waiter.resume(returning: outcome) }
        for waiter in idle { waiter.resume() }
        return entry?.queueName
    }

    /// Waits up to `timeout` for no workflow to run here; returns whether that happened.
    func waitUntilIdle(for timeout: Duration) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask { await self.waitUntilIdle(); return true }
            group.addTask { try? await Task.sleep(for: timeout); return false }
            let idle = await group.next() ?? false
            group.cancelAll()
            return idle || count == 0
        }
    }

    /// Returns once no workflow runs here, or when the calling task is cancelled.
    func waitUntilIdle() async {
        let id = UUID()
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state in
                    if state.entries.isEmpty || Task.isCancelled { return true }
                    state.idleWaiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.idleWaiters.removeValue(forKey: id) }?.resume()
        }
    }
}
