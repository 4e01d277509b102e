import Foundation
import Synchronization

/// The workflow operations any process with access to the system database can perform —
/// read, list, wait for, message, cancel, resume, fork, delete — written once and shared by
/// ``DBOS`` (which also runs workflows) and ``DBOSClient`` (which does not).
///
/// In a runtime, waits are woken by the runtime's change feed, local writes and its shared wait
/// sweep, and joining a workflow that runs here needs no polling; in a client, waits poll at
/// the fallback interval.
final class WorkflowService: Sendable {
    let systemDatabase: any SystemDatabase
    /// The time of durable deadlines (``DBOSConfig/clock``; the wall clock in a client by default).
    var clock: any DBOSClock { systemDatabase.clock }
    let errors: ErrorRegistry
    let hub: WakeupHub
    /// Workflows executing in this process (none in a client).
    let running: RunningWorkflows
    /// Triggered when the owner shuts down: waits end with ``DBOSError/Code/shuttingDown``.
    let signal: ShutdownSignal
    /// The application version a fork runs under when the caller names none (a runtime's own;
    /// nil in a client, where a fork keeps the original's).
    private let forkVersion = Mutex<String?>(nil)
    /// Whether a shared sweep wakes waiters (a runtime's): otherwise each polls on its own.
    let waitsAreSwept: Bool

    init(systemDatabase: any SystemDatabase, waitsAreSwept: Bool) {
        self.systemDatabase = systemDatabase
        self.waitsAreSwept = waitsAreSwept
        self.errors = ErrorRegistry()
        self.hub = WakeupHub()
        self.running = RunningWorkflows()
        self.signal = ShutdownSignal()
    }

    func setForkVersion(_ version: String) { forkVersion.withLock { $0 = version } }

    // MARK: Reading

    func status(_ workflowID: String) async throws -> WorkflowStatus? {
        try await systemDatabase.workflowStatus(workflowID: workflowID)
    }

    /// The status row, or ``DBOSError/Code/nonexistentWorkflow``.
    func existingStatus(_ workflowID: String) async throws -> WorkflowStatus {
        guard let status = try await status(workflowID) else { throw DBOSError.nonexistentWorkflow(workflowID: workflowID) }
        return status
    }

    func list(_ filter: ListWorkflowsFilter) async throws -> [WorkflowStatus] {
        try await systemDatabase.listWorkflows(filter)
    }

    func steps(_ workflowID: String) async throws -> [StepRecord] {
        try await systemDatabase.steps(workflowID: workflowID)
    }

    /// Workflows waiting on or running from a queue (ENQUEUED, DELAYED or PENDING), oldest first.
    func listQueued(queue: String?, limit: Int?) async throws -> [WorkflowStatus] {
        try await list(ListWorkflowsFilter(status: [.enqueued, .pending, .delayed], queueName: queue, limit: limit))
            .filter { $0.queueName != nil }
    }

    // MARK: Waiting for results

    /// Waits for a workflow to reach a terminal status: resumed directly when it runs in this
    /// process, otherwise by polling the database with a short, growing interval. Past
    /// `timeout`, throws ``DBOSError/Code/invalidWorkflowState`` naming the status it is in.
    func awaitOutcome(_ workflowID: String, timeout: Duration? = nil) async throws -> WorkflowOutcome {
        if let outcome = await running.wait(for: workflowID) { return outcome }
        let deadline = timeout.map { ContinuousClock.now + $0 }
        var interval = Duration.milliseconds(5)
        while true {
            let status = try await existingStatus(workflowID)
            if !status.state.isActive {
                return WorkflowOutcome(state: status.state, output: status.output, error: status.error,
                                       serialization: status.serialization, recoveryAttempts: status.recoveryAttempts)
            }
            if running.isRunning(workflowID), let outcome = await running.wait(for: workflowID) { return outcome }
            if let deadline, ContinuousClock.now >= deadline {
                throw DBOSError.invalidWorkflowState(workflowID: workflowID, status: status.state.rawValue, operation: "wait for the result of")
            }
            try await pause(for: interval)
            interval = min(interval * 2, .milliseconds(200))
        }
    }

    /// Waits until one of `workflowIDs` has finished and returns it (the earliest to finish when
    /// several have): woken at once by a local completion, otherwise by polling with a short,
    /// growing interval, as ``awaitOutcome(_:timeout:)``.
    func awaitFirstFinished(_ workflowIDs: [String]) async throws -> String {
        guard !workflowIDs.isEmpty else { throw DBOSError.invalidArgument("waitFirst needs at least one workflow") }
        guard Set(workflowIDs).count == workflowIDs.count else {
            throw DBOSError.invalidArgument("waitFirst was given the same workflow twice")
        }
        try await requireExisting(workflowIDs)
        var interval = Duration.milliseconds(5)
        while true {
            if let first = try await systemDatabase.firstFinished(among: workflowIDs) { return first }
            let local = workflowIDs.filter { running.isRunning($0) }
            let poll = interval
            try await withThrowingTaskGroup(of: Void.self) { group in
                // The first local completion, or the poll interval, whichever comes first.
                for id in local { group.addTask { [running] in _ = await running.wait(for: id) } }
                group.addTask { try await self.pause(for: poll) }
                try await group.next()
                group.cancelAll()
            }
            interval = min(interval * 2, .milliseconds(200))
        }
    }

    /// Waits for the workflow and returns its output as `Output`, or throws its error.
    func result<Output: Decodable>(of workflowID: String, as type: Output.Type, timeout: Duration? = nil) async throws -> Output {
        try await awaitOutcome(workflowID, timeout: timeout).decode(workflowID: workflowID, as: type, errors: errors)
    }

    /// Sleeps, but wakes with ``DBOSError/Code/shuttingDown`` when the owner shuts down.
    func pause(for duration: Duration) async throws {
        guard duration > .zero else { return }
        try await pause { try await Task.sleep(for: duration.kept) }
    }

    /// Sleeps until `deadline` on the ``clock``, but wakes with ``DBOSError/Code/shuttingDown``
    /// when the owner shuts down.
    func pause(until deadline: Date) async throws {
        let clock = clock
        guard clock.now < deadline else { return }
        try await pause { try await clock.sleep(until: deadline) }
    }

    private func pause(_ sleep: @escaping @Sendable () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask { try await sleep(); return true }
            group.addTask { [signal] in await signal.wait(); return false }
            let slept = try await group.next() ?? false
            group.cancelAll()
            if !slept { throw DBOSError.shuttingDown }
        }
    }

    // MARK: Messages and events from outside a workflow

    func send(_ messages: [OutgoingMessage]) async throws {
        try await systemDatabase.send(messages)
        for message in messages { hub.signal(WakeupHub.key(.notifications, message.destination, message.topic)) }
    }

    /// Waits up to `timeout` for an event and returns its stored value (nil on timeout).
    func waitForEvent(_ key: String, of workflowID: String, until deadline: Double) async throws -> StoredValue? {
        try await waitFor(.events, of: workflowID, name: key, until: deadline) {
            try await systemDatabase.getEvent(workflowID: workflowID, key: key)
        }
    }

    // MARK: Management

    /// Throws ``DBOSError/Code/nonexistentWorkflow`` naming the first of `workflowIDs` that does not exist.
    private func requireExisting(_ workflowIDs: [String]) async throws {
        let existing = try await systemDatabase.existingWorkflowIDs(workflowIDs)
        if let missing = workflowIDs.first(where: { !existing.contains($0) }) {
            throw DBOSError.nonexistentWorkflow(workflowID: missing)
        }
    }

    func cancel(_ workflowIDs: [String], includeChildren: Bool) async throws {
        guard !workflowIDs.isEmpty else { return }
        try await requireExisting(workflowIDs)
        let cancelled = try await systemDatabase.cancel(workflowIDs: workflowIDs, includeChildren: includeChildren)
        for id in cancelled { running.markCancelled(id) }
    }

    /// As DBOS 3.4: a finished workflow (SUCCESS or ERROR) is left as it is; a missing one throws.
    func resume(_ workflowIDs: [String], queueName: String?) async throws {
        guard !workflowIDs.isEmpty else { return }
        try await requireExisting(workflowIDs)
        let queue = queueName ?? QueueDefinition.internalQueueName
        if try await !systemDatabase.resume(workflowIDs: workflowIDs, queueName: queue).isEmpty {
            hub.signal(WakeupHub.queueKey(queue))
        }
    }

    func fork(_ workflowID: String, fromStep: Int, newID: String?, applicationVersion: String?,
              queueName: String?, partitionKey: String?, timeout: Duration?) async throws -> String {
        guard fromStep >= 1 else { throw DBOSError.invalidArgument("fork needs a step of 1 or more, not \(fromStep)") }
        if let timeout, timeout <= .zero { throw DBOSError.invalidArgument("a fork's timeout must be positive, not \(timeout)") }
        if partitionKey != nil && queueName == nil {
            throw DBOSError.invalidArgument("a fork's partition key needs the partitioned queue it is for")
        }
        let status = try await existingStatus(workflowID)
        let forkID = newID ?? UUID().uuidString.lowercased()
        let version = applicationVersion ?? forkVersion.withLock { $0 } ?? status.applicationVersion ?? ""
        let queue = queueName ?? QueueDefinition.internalQueueName
        try await systemDatabase.fork(WorkflowFork(
            workflowID: workflowID, newID: forkID, startStep: fromStep, applicationVersion: version, queueName: queue,
            partitionKey: partitionKey, timeoutMilliseconds: timeout?.milliseconds))
        hub.signal(WakeupHub.queueKey(queue))
        return forkID
    }

    func export(_ workflowID: String, includeChildren: Bool) async throws -> WorkflowExport {
        let workflows = try await systemDatabase.exportWorkflows([workflowID], includeChildren: includeChildren)
        guard !workflows.isEmpty else { throw DBOSError.nonexistentWorkflow(workflowID: workflowID) }
        return WorkflowExport(workflows: workflows, exportedAt: clock.now)
    }

    func importWorkflows(_ export: WorkflowExport) async throws {
        guard export.format == WorkflowExport.formatName, export.version <= WorkflowExport.currentVersion else {
            throw DBOSError.invalidArgument(
                "not a workflow export this library reads (format '\(export.format)', version \(export.version); "
                + "expected '\(WorkflowExport.formatName)' up to version \(WorkflowExport.currentVersion))")
        }
        try await systemDatabase.importWorkflows(export.workflows)
        // Imported queued work is there for the dispatchers to find.
        hub.signalQueues()
    }

    func delete(_ workflowIDs: [String], includeChildren: Bool) async throws {
        guard !workflowIDs.isEmpty else { return }
        try await requireExisting(workflowIDs)
        let deleted = try await systemDatabase.delete(workflowIDs: workflowIDs, includeChildren: includeChildren)
        for id in deleted { running.markCancelled(id) }
    }
}

extension WorkflowOutcome {
    /// The output as `Output`, or the error the caller sees: the stored error (as its registered
    /// Swift type when there is one), cancellation, or exhausted recovery.
    func decode<Output: Decodable>(workflowID: String, as type: Output.Type, errors: ErrorRegistry) throws -> Output {
        switch state {
        case .success:
            return try PortableJSON.decode(Output.self, from: output ?? "null", serialization: serialization,
                                           what: "output of workflow '\(workflowID)'")
        case .cancelled:
            throw DBOSError.workflowCancelled(workflowID: workflowID)
        case .maxRecoveryAttemptsExceeded:
            throw DBOSError.maxRecoveryAttemptsExceeded(workflowID: workflowID, attempts: max(0, (recoveryAttempts ?? 1) - 1))
        default:
            let failure = try PortableJSON.decode(WorkflowFailure.self, from: error ?? "{}", serialization: serialization,
                                                  what: "error of workflow '\(workflowID)'")
            throw errors.error(from: failure)
        }
    }

    /// The error text to record for a non-successful outcome (for a checkpointed `DBOS.getResult`).
    func storedError(workflowID: String) throws -> String? {
        switch state {
        case .error: return error
        case .cancelled: return try PortableJSON.encode(WorkflowFailure(DBOSError.workflowCancelled(workflowID: workflowID)))
        default:
            return try PortableJSON.encode(WorkflowFailure(DBOSError.maxRecoveryAttemptsExceeded(
                workflowID: workflowID, attempts: max(0, (recoveryAttempts ?? 1) - 1))))
        }
    }
}
