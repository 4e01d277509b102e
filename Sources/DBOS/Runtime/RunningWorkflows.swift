import Synchronization

/// The outcome of a workflow execution in this process, as stored.
struct WorkflowOutcome: Sendable {
    var status: String
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
        var waiters: [CheckedContinuation<WorkflowOutcome?, Never>] = []
        var cancelled = false
    }

    private let entries = Mutex<[String: Entry]>([:])

    /// Registers a workflow as running here. Returns false when it already runs here.
    func begin(_ workflowID: String, queueName: String?, partitionKey: String? = nil, ownerXID: String) -> Bool {
        entries.withLock { entries in
            if entries[workflowID] != nil { return false }
            entries[workflowID] = Entry(queueName: queueName, partitionKey: partitionKey, ownerXID: ownerXID)
            return true
        }
    }

    /// How many workflows of `queue` run here.
    func count(queue: String) -> Int { entries.withLock { $0.values.filter { $0.queueName == queue }.count } }

    /// How many workflows of one partition of `queue` run here.
    func count(queue: String, partition: String) -> Int {
        entries.withLock { $0.values.filter { $0.queueName == queue && $0.partitionKey == partition }.count }
    }

    /// Each running workflow with the owner token of its execution here.
    var owned: [(workflowID: String, ownerXID: String)] {
        entries.withLock { $0.map { ($0.key, $0.value.ownerXID) } }
    }

    func attach(_ workflowID: String, task: Task<Void, Never>) {
        entries.withLock { $0[workflowID]?.task = task }
    }

    func isRunning(_ workflowID: String) -> Bool { entries.withLock { $0[workflowID] != nil } }

    func isCancelled(_ workflowID: String) -> Bool { entries.withLock { $0[workflowID]?.cancelled ?? false } }

    func markCancelled(_ workflowID: String) { entries.withLock { $0[workflowID]?.cancelled = true } }

    var count: Int { entries.withLock { $0.count } }

    /// Waits for a workflow running here. Returns nil at once when it does not run here, or
    /// when it stopped without an outcome (shutdown, lost ownership).
    func wait(for workflowID: String) async -> WorkflowOutcome? {
        await withCheckedContinuation { continuation in
            let registered = entries.withLock { entries in
                guard entries[workflowID] != nil else { return false }
                entries[workflowID]!.waiters.append(continuation)
                return true
            }
            if !registered { continuation.resume(returning: nil) }
        }
    }

    /// Marks a workflow finished and hands its outcome to every waiter.
    /// Returns the queue the workflow was running for.
    @discardableResult
    func finish(_ workflowID: String, outcome: WorkflowOutcome?) -> String? {
        let entry = entries.withLock { $0.removeValue(forKey: workflowID) }
        for waiter in entry?.waiters ?? [] { waiter.resume(returning: outcome) }
        return entry?.queueName
    }

    /// Every running workflow's task.
    var tasks: [Task<Void, Never>] { entries.withLock { $0.values.compactMap(\.task) } }
}
