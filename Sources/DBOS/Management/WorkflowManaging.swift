public import Foundation

/// Reading and managing the workflows of a system database: what ``DBOS`` and ``DBOSClient``
/// both offer, written once.
public protocol WorkflowManaging: Sendable {
    /// The system database's workflows, as this runtime or client reaches them.
    var workflowAccess: WorkflowAccess { get }
}

/// How a ``WorkflowManaging`` runtime or client reaches its workflows (opaque).
public struct WorkflowAccess: Sendable {
    let service: WorkflowService
}

extension WorkflowManaging {
    var service: WorkflowService { workflowAccess.service }

    /// Runs a management call. Called by a workflow of this runtime, it is one of that
    /// workflow's operations (named as in DBOS: `DBOS.forkWorkflow`, `DBOS.getStatus`, ...): its
    /// result or error is recorded, and a replay returns it instead of acting or reading again (a
    /// recovered workflow does not fork a second time, and sees the statuses it saw before).
    func recordedInWorkflow<T: Codable & Sendable>(_ name: String, _ body: @Sendable () async throws -> T) async throws -> T {
        guard let context = WorkflowContext.forOperation(), context.runtime.service === service else { return try await body() }
        return try await context.operation(name) { try await $0.runStep(retries: .none, body) }
    }

    /// The status row of one workflow, or nil when it does not exist.
    ///
    /// Called by a workflow, the read is one of its operations (`DBOS.getStatus`, as in DBOS):
    /// a replay sees the status the first execution saw, so it takes the same branch.
    public func getWorkflowStatus(_ workflowID: String) async throws -> WorkflowStatus? {
        try await recordedInWorkflow("DBOS.getStatus") { try await service.status(workflowID) }
    }

    /// Workflows matching `filter`, oldest first unless the filter says otherwise. Recorded
    /// when called by a workflow (`DBOS.listWorkflows`).
    public func listWorkflows(_ filter: ListWorkflowsFilter = .init()) async throws -> [WorkflowStatus] {
        try await recordedInWorkflow("DBOS.listWorkflows") { try await service.list(filter) }
    }

    /// The recorded operations of a workflow, in order. Recorded when called by a workflow
    /// (`DBOS.listWorkflowSteps`).
    public func listSteps(_ workflowID: String) async throws -> [StepRecord] {
        try await recordedInWorkflow("DBOS.listWorkflowSteps") { try await service.steps(workflowID) }
    }

    /// A page of a workflow's recorded operations, in order, as DBOS 3.4's
    /// `list_workflow_steps(load_output:limit:offset:)`: with `loadOutputs` false, each
    /// ``StepRecord`` has no output and no error (they are not read), which keeps a long
    /// agent run's timeline cheap to list. Recorded when called by a workflow (`DBOS.listWorkflowSteps`).
    ///
    /// - Throws: ``DBOSError/Code/invalidArgument`` for a negative limit or offset.
    public func listSteps(_ workflowID: String, loadOutputs: Bool, limit: Int? = nil, offset: Int? = nil) async throws -> [StepRecord] {
        guard (limit ?? 0) >= 0, (offset ?? 0) >= 0 else {
            throw DBOSError.invalidArgument("listSteps: limit and offset must not be negative")
        }
        return try await recordedInWorkflow("DBOS.listWorkflowSteps") {
            try await service.systemDatabase.listSteps(workflowID: workflowID, loadOutputs: loadOutputs, limit: limit, offset: offset)
        }
    }

    /// Workflows waiting on or running from a queue (ENQUEUED, DELAYED or PENDING), oldest
    /// first. Recorded when called by a workflow (`DBOS.listQueuedWorkflows`).
    public func listQueuedWorkflows(queue: String? = nil, limit: Int? = nil) async throws -> [WorkflowStatus] {
        try await recordedInWorkflow("DBOS.listQueuedWorkflows") { try await service.listQueued(queue: queue, limit: limit) }
    }

    /// The events a workflow has set (the latest value of each key, serialized as stored), by
    /// key. Recorded when called by a workflow (`DBOS.getAllEvents`, as in DBOS).
    public func listEvents(_ workflowID: String) async throws -> [EventRecord] {
        try await recordedInWorkflow("DBOS.getAllEvents") {
            try await service.systemDatabase.events(workflowID: workflowID).map {
                EventRecord(key: $0.key, value: $0.value.value, serialization: $0.value.serialization)
            }
        }
    }

    /// The streams a workflow has written, by key: how many values each holds, whether it is
    /// closed, and its first `limit` values (serialized as stored). Read a whole stream with
    /// `stream(_:of:)`. Recorded when called by a workflow (`DBOS.listStreams`).
    public func listStreams(_ workflowID: String, limit: Int = 100) async throws -> [StreamRecord] {
        try await recordedInWorkflow("DBOS.listStreams") {
            try await service.systemDatabase.streams(workflowID: workflowID, limit: max(limit, 0), closedMarker: streamClosedSentinel).map {
                StreamRecord(key: $0.key, count: $0.count, isClosed: $0.closed,
                             values: $0.first.map { StreamRecord.Entry(offset: $0.offset, value: $0.value) })
            }
        }
    }

    /// Each queue's load (enqueued, running, the oldest wait) and its registered limits, from
    /// one aggregate query: it reads no workflow rows, so it stays cheap on a long history.
    /// Recorded when called by a workflow (`DBOS.queueStatistics`).
    public func queueStatistics() async throws -> [QueueStatistics] {
        try await recordedInWorkflow("DBOS.queueStatistics") { try await service.systemDatabase.queueStatistics() }
    }

    /// How many workflows the system database holds in each state (one aggregate query; states
    /// with none are absent). Recorded when called by a workflow (`DBOS.workflowCounts`).
    public func workflowCounts() async throws -> [WorkflowState: Int] {
        try await recordedInWorkflow("DBOS.workflowCounts") {
            var counts: [WorkflowState: Int] = [:]
            for (status, count) in try await service.systemDatabase.workflowCounts() {
                counts[WorkflowState(rawValue: status), default: 0] += count
            }
            return counts
        }
    }

    /// The application versions registered in the system database, latest first (every
    /// runtime registers its own at launch, as DBOS Python does).
    public func listApplicationVersions() async throws -> [ApplicationVersion] {
        try await service.systemDatabase.applicationVersions()
    }

    /// Makes a registered version the latest (DBOS 3.4's `set_latest_application_version`):
    /// DBOS Python enqueues scheduled workflows to the latest version.
    ///
    /// - Throws: ``DBOSError/Code/invalidArgument`` when no such version is registered.
    public func setLatestApplicationVersion(_ name: String) async throws {
        guard try await service.systemDatabase.setLatestApplicationVersion(name) else {
            throw DBOSError.invalidArgument("application version '\(name)' is not registered")
        }
    }

    /// Every schedule stored in the system database (from any process or language), by name.
    /// Recorded when called by a workflow (`DBOS.listSchedules`).
    public func listSchedules() async throws -> [ScheduleInfo] {
        try await recordedInWorkflow("DBOS.listSchedules") { try await service.systemDatabase.listSchedules().map(ScheduleInfo.init) }
    }

    /// A handle to an existing workflow, by ID, whose output is read as `Output`.
    ///
    /// - Throws: ``DBOSError/Code/nonexistentWorkflow`` when there is no such workflow.
    public func retrieve<Output: Codable & Sendable>(_ workflowID: String, as type: Output.Type = Output.self) async throws
        -> WorkflowHandle<Output> {
        _ = try await service.existingStatus(workflowID)
        return WorkflowHandle(workflowID: workflowID, service: service)
    }

    /// Cancels a workflow that has not finished: it stops before its next step (a running
    /// step finishes), here or in any other process. With `includeChildren`, its descendants
    /// too. A finished workflow is left as it is.
    ///
    /// - Throws: ``DBOSError/Code/nonexistentWorkflow`` when there is no such workflow.
    public func cancel(_ workflowID: String, includeChildren: Bool = false) async throws {
        try await cancel([workflowID], includeChildren: includeChildren)
    }

    /// Cancels each of `workflowIDs` that has not finished, as ``cancel(_:includeChildren:)-(String,_)``,
    /// in one statement.
    ///
    /// - Throws: ``DBOSError/Code/nonexistentWorkflow`` (and cancels nothing) when one does not exist.
    public func cancel(_ workflowIDs: [String], includeChildren: Bool = false) async throws {
        _ = try await recordedInWorkflow("DBOS.cancelWorkflow") {
            try await service.cancel(workflowIDs, includeChildren: includeChildren)
            return NoOutput()
        }
    }

    /// Continues a cancelled (or stranded) workflow from its last completed step, on the
    /// internal queue, or on `queueName`, of whichever process runs its application version
    /// (and serves that queue). A finished workflow (SUCCESS or ERROR) is left as it is: a
    /// no-op, as in DBOS Transact 3.4.
    ///
    /// - Throws: ``DBOSError/Code/nonexistentWorkflow`` when there is no such workflow.
    public func resume(_ workflowID: String, queueName: String? = nil) async throws {
        try await resume([workflowID], queueName: queueName)
    }

    /// Resumes each of `workflowIDs` that has not finished, as ``resume(_:queueName:)-(String,_)``,
    /// in one statement.
    ///
    /// - Throws: ``DBOSError/Code/nonexistentWorkflow`` (and resumes nothing) when one does not exist.
    public func resume(_ workflowIDs: [String], queueName: String? = nil) async throws {
        _ = try await recordedInWorkflow("DBOS.resumeWorkflow") {
            try await service.resume(workflowIDs, queueName: queueName)
            return NoOutput()
        }
    }

    /// Starts a new workflow that reuses the recorded outcomes of `workflowID`'s operations
    /// before `fromStep` and runs the current code from that step on. Returns the new ID. The
    /// fork runs under `applicationVersion`; by default a runtime's own version, or for a
    /// client the original's.
    ///
    /// As in DBOS 3.4, the fork waits on DBOS's internal queue unless `queueName` names another
    /// (with `partitionKey` for a partitioned one), and it has no timeout unless given one
    /// (the original's is not copied); its deadline starts when it is dequeued.
    ///
    /// Called from a workflow of this runtime, the fork (like `cancel`, `resume` and `delete`) is an
    /// operation of that workflow: a recovery returns the recorded fork's ID instead of forking again.
    ///
    /// A `newID` that already names a fork of `workflowID` returns that fork without forking
    /// again, so a call retried after a lost answer forks once.
    ///
    /// - Throws: ``DBOSError/Code/invalidArgument`` for a step below 1, a timeout that is not
    ///   positive, or a partition key without a queue; ``DBOSError/Code/nonexistentWorkflow``;
    ///   ``DBOSError/Code/conflictingWorkflow`` when `newID` names another workflow.
    public func fork(_ workflowID: String, fromStep: Int, newID: String? = nil, applicationVersion: String? = nil,
                     queueName: String? = nil, partitionKey: String? = nil, timeout: Duration? = nil) async throws -> String {
        try await recordedInWorkflow("DBOS.forkWorkflow") {
            try await service.fork(workflowID, fromStep: fromStep, newID: newID, applicationVersion: applicationVersion,
                                   queueName: queueName, partitionKey: partitionKey, timeout: timeout)
        }
    }

    /// Deletes a workflow and everything recorded for it (with `includeChildren`, its descendants too).
    ///
    /// - Throws: ``DBOSError/Code/nonexistentWorkflow`` when there is no such workflow.
    public func delete(_ workflowID: String, includeChildren: Bool = false) async throws {
        try await delete([workflowID], includeChildren: includeChildren)
    }

    /// Deletes each of `workflowIDs`, as ``delete(_:includeChildren:)-(String,_)``, in one transaction.
    ///
    /// - Throws: ``DBOSError/Code/nonexistentWorkflow`` (and deletes nothing) when one does not exist.
    public func delete(_ workflowIDs: [String], includeChildren: Bool = false) async throws {
        _ = try await recordedInWorkflow("DBOS.deleteWorkflow") {
            try await service.delete(workflowIDs, includeChildren: includeChildren)
            return NoOutput()
        }
    }

    /// Takes a workflow out of this database: every row recorded for it (and, with
    /// `includeChildren`, for its descendants), to import into another system database with
    /// ``importWorkflow(_:)``, for example to debug and fork a production run on a laptop.
    /// The export is `Codable`; `dbos-swift workflow export` writes it as a JSON file.
    ///
    /// - Throws: ``DBOSError/Code/nonexistentWorkflow`` when there is no such workflow.
    public func exportWorkflow(_ workflowID: String, includeChildren: Bool = true) async throws -> WorkflowExport {
        try await service.export(workflowID, includeChildren: includeChildren)
    }

    /// Writes the workflows of an export into this database, as they were (statuses, recorded
    /// operations, events, streams, messages), in one transaction. An imported workflow can be
    /// listed, read, replayed and forked like any other; one imported as PENDING is recovered
    /// by a runtime with its executor ID and application version, as usual.
    ///
    /// - Throws: ``DBOSError/Code/invalidArgument`` (and imports nothing) when a workflow of the
    ///   export already exists here, or when the export is not one this library reads.
    public func importWorkflow(_ export: WorkflowExport) async throws {
        try await service.importWorkflows(export)
    }

    /// Deletes finished workflows (SUCCESS, ERROR, CANCELLED, MAX_RECOVERY_ATTEMPTS_EXCEEDED)
    /// that completed before `completedBefore`, keeping the `keepLatest` most recently completed
    /// ones whatever their age, and returns what went. Each goes with everything recorded for
    /// it (inputs, outcome, steps, messages sent to it, events, streams) and with its finished
    /// descendants. Workflows still running, queued or delayed are never touched.
    ///
    /// Deletes in batches of `batchSize` workflows, one short transaction each, so workers
    /// keep writing meanwhile. Give at least one of `completedBefore` and `keepLatest`.
    /// ```swift
    /// // Keep a week of history, and at least the last 10,000 workflows.
    /// let report = try await dbos.garbageCollect(completedBefore: .now - 7 * 86_400, keepLatest: 10_000)
    /// ```
    /// - Throws: ``DBOSError/Code/invalidArgument`` when neither limit is given or one is negative.
    @discardableResult
    public func garbageCollect(completedBefore: Date? = nil, keepLatest: Int? = nil,
                               batchSize: Int = 1_000) async throws -> GarbageCollectionReport {
        guard completedBefore != nil || keepLatest != nil else {
            throw DBOSError.invalidArgument("garbageCollect needs completedBefore, keepLatest or both")
        }
        guard (keepLatest ?? 0) >= 0, batchSize > 0 else {
            throw DBOSError.invalidArgument("garbageCollect: keepLatest must not be negative and batchSize must be positive")
        }
        return try await service.systemDatabase.garbageCollect(
            completedBefore: completedBefore?.epochMilliseconds, keepLatest: keepLatest, batchSize: batchSize)
    }

    /// Registers a Swift error type so stored errors of that type are rethrown as it (rather
    /// than as ``DBOSError/Code/workflowFailed``) to this runtime's or client's callers.
    public func registerError<E: Error & Decodable>(_ type: E.Type) {
        service.errors.register(type)
    }
}
