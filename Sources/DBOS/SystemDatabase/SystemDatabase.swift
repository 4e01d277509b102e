import Foundation

/// The durable operations the engine needs, independent of SQL and of Swift types: only
/// names, IDs and serialized text cross this boundary, and nothing here knows the layers above.
///
/// A write that records an operation of a workflow returns an ``OperationWrite``: recorded,
/// already recorded by an earlier execution, or refused because the workflow is no longer
/// this execution's. Errors are for failures only.
protocol SystemDatabase: Sendable {
    /// `"postgres"` or `"sqlite"`.
    var backendName: String { get }
    /// The clock of every time this database writes and every deadline it compares with.
    var clock: any DBOSClock { get }

    // MARK: Lifecycle

    /// Drives the connections until cancelled (see ``SQLDriver/run()``).
    func run() async
    /// Connects (creating the database when missing, if `creating`) once ``run()`` is running.
    /// `listening`: ``runChangeFeed(_:)`` runs next (see ``SQLDriver/open(creating:listening:)``).
    func open(creating: Bool, listening: Bool) async throws
    /// Throws ``DBOSError/Code/unsupportedSchemaVersion`` unless the schema is at this library's
    /// version or newer; creates and changes nothing.
    func verifySchema() async throws
    /// Finishes queued writes and closes the connections.
    func close() async
    func migrate() async throws -> MigrationReport
    /// Drops every DBOS table (all workflows, steps, messages...) and migrates again.
    func reset() async throws -> MigrationReport

    // MARK: Workflows and their operations

    /// Inserts a workflow's status and input, or returns the existing row unchanged.
    func insertWorkflow(_ insert: WorkflowInsert) async throws -> WorkflowInsertResult
    /// Inserts a child workflow and records it as `operation` of its parent (owned by
    /// `ownerXID`), atomically.
    func insertChildWorkflow(_ insert: WorkflowInsert, as operation: StepRecord, ownerXID: String) async throws
        -> OperationWrite<WorkflowInsertResult>
    /// Records a completed operation if `ownerXID` still owns the workflow.
    func recordOperation(_ operation: StepRecord, ownerXID: String) async throws -> OperationWrite<Void>
    /// Every recorded operation of a workflow, in function ID order.
    func steps(workflowID: String) async throws -> [StepRecord]
    /// A page of a workflow's operations in order, with or without their outputs and errors.
    func listSteps(workflowID: String, loadOutputs: Bool, limit: Int?, offset: Int?) async throws -> [StepRecord]
    /// The operation recorded at `functionID`, if any.
    func step(workflowID: String, functionID: Int) async throws -> StepRecord?
    /// Records a terminal outcome if the workflow is still PENDING (and owned by `ownerXID`).
    func completeWorkflow(workflowID: String, ownerXID: String, state: WorkflowState, output: String?, error: String?) async throws -> Bool
    func workflowStatus(workflowID: String) async throws -> WorkflowStatus?
    func listWorkflows(_ filter: ListWorkflowsFilter) async throws -> [WorkflowStatus]

    // MARK: Recovery

    /// PENDING workflows of this executor and application version.
    func pendingWorkflows(executorID: String, applicationVersion: String) async throws -> [PendingWorkflow]
    /// The workflow, when it is PENDING on this executor and application version.
    func pendingWorkflow(workflowID: String, executorID: String, applicationVersion: String) async throws -> PendingWorkflow?
    /// Puts a claimed queued workflow back on its queue, if it is still held as listed.
    func requeue(_ listed: PendingWorkflow) async throws -> Bool
    /// Takes ownership of a PENDING workflow for recovery, counting the attempt; past
    /// `maxAttempts` the row becomes MAX_RECOVERY_ATTEMPTS_EXCEEDED instead.
    /// Only a row still held as `listed` says (executor and owner token) is taken.
    func claimForRecovery(_ listed: PendingWorkflow, ownerXID: String, maxAttempts: Int?) async throws -> RecoveryClaim
    /// Moves a claimed workflow that used up its recovery attempts (`attempts` counted) to
    /// MAX_RECOVERY_ATTEMPTS_EXCEEDED, off its queue.
    func deadLetter(workflowID: String, attempts: Int) async throws

    // MARK: Messages, events, streams

    /// Sends messages from outside any workflow, all or none (each deduplicated by its UUID).
    func send(_ messages: [OutgoingMessage]) async throws
    /// Sends messages as `operation` of the sending workflow, atomically.
    func send(_ messages: [OutgoingMessage], as operation: StepRecord, ownerXID: String) async throws -> OperationWrite<Void>
    /// Consumes the oldest unconsumed message on a topic and records it as `operation` (its
    /// output is the message), atomically; nil when no message is waiting. A message in a
    /// format other than `readableFormat` is consumed too, with the error `unreadable` encodes
    /// (given its format and ID) recorded as the operation's outcome, so it cannot block the topic.
    func consumeMessage(workflowID: String, topic: String, as operation: StepRecord, ownerXID: String,
                        readableFormat: String, unreadable: @escaping @Sendable (_ format: String, _ messageUUID: String) throws -> String)
        async throws -> OperationWrite<StepRecord>?
    /// Sets an event (latest value and history) as `operation`, atomically.
    func setEvent(_ event: StoredValueWrite, as operation: StepRecord, ownerXID: String) async throws -> OperationWrite<Void>
    func getEvent(workflowID: String, key: String) async throws -> StoredValue?
    /// The topics on which each of `destinations` has an unconsumed message (the shared wait sweep).
    func unconsumedMessageTopics(destinations: Set<String>) async throws -> [(workflowID: String, topic: String)]
    /// The event keys each of `workflowIDs` has set (the shared wait sweep).
    func eventKeys(workflowIDs: Set<String>) async throws -> [(workflowID: String, key: String)]
    /// Appends to a stream from inside step `functionID` (no operation of its own), if
    /// `ownerXID` still owns the workflow.
    func appendStream(_ entry: StoredValueWrite, fromStep functionID: Int, ownerXID: String) async throws -> OperationWrite<Void>
    /// Appends to a stream as `operation`, atomically.
    func appendStream(_ entry: StoredValueWrite, as operation: StepRecord, ownerXID: String) async throws -> OperationWrite<Void>
    /// A stream's values from `fromOffset` on, in order; at most `limit` when it is set.
    func readStream(workflowID: String, key: String, fromOffset: Int, limit: Int?) async throws -> [StreamEntry]
    /// Every event of a workflow (latest value per key), by key.
    func events(workflowID: String) async throws -> [(key: String, value: StoredValue)]
    /// Every stream of a workflow: its key, how many values it holds and whether it holds
    /// `closedMarker` (neither counted nor listed), and its first values (at most `limit`).
    func streams(workflowID: String, limit: Int, closedMarker: String) async throws -> [(key: String, count: Int, closed: Bool, first: [StreamEntry])]

    // MARK: Queues

    /// Claims what the queue's limits allow for this executor and marks it PENDING under a new owner.
    func claimQueued(_ queue: QueueClaim) async throws -> [ClaimedWorkflow]
    /// Workflows of `queueName` that a claim which needed a retry took without returning them
    /// (an abandoned try committed after the retry looked): PENDING under this process's token,
    /// with no execution. Each is returned once; no query when no such claim is recent.
    func strandedClaims(queueName: String) async throws -> [ClaimedWorkflow]
    /// DELAYED workflows whose time has come become ENQUEUED. Returns their queues.
    /// Whether a delayed workflow is due or an active one's deadline has passed: the cheap read
    /// that spares the writes of ``releaseDelayed()`` and ``cancelTimedOut()`` when nothing is.
    func maintenanceDue() async throws -> (delayedDue: Bool, deadlinePassed: Bool)
    func releaseDelayed() async throws -> [String]
    /// Every queue with a workflow ENQUEUED or PENDING on it, or with a row in `queues`: its
    /// load (one aggregate over the in-flight index, no workflow rows loaded) and its limits.
    func queueStatistics() async throws -> [QueueStatistics]
    /// How many workflows have each status (one aggregate query).
    func workflowCounts() async throws -> [String: Int]
    /// Cancels active workflows whose deadline has passed. Returns their IDs.
    func cancelTimedOut() async throws -> [String]
    /// Which of these executions no longer own their workflow (cancelled or taken over).
    func lostOwnership(_ owned: [(workflowID: String, ownerXID: String)]) async throws -> [String]
    /// Puts this executor's claimed queue work back on its queues, except workflows still
    /// running in this process. Returns how many.
    func requeuePending(executorID: String, applicationVersion: String, isRunningHere: (String) -> Bool) async throws -> Int
    func upsertQueue(_ queue: QueueDefinition) async throws
    /// Registers an application version (once: an existing name keeps its row).
    func registerApplicationVersion(_ name: String) async throws
    /// Every registered version, latest first.
    func applicationVersions() async throws -> [ApplicationVersion]
    /// Makes a registered version the latest. Returns whether it exists.
    func setLatestApplicationVersion(_ name: String) async throws -> Bool
    /// The active (ENQUEUED, DELAYED or PENDING) workflow holding a deduplication ID on a queue.
    func activeWorkflowID(queue: String, deduplicationID: String) async throws -> String?
    /// The distinct partition keys of a queue's ENQUEUED workflows that `workflowNames` can run.
    func queuePartitions(queue: String, applicationVersion: String, workflowNames: [String]) async throws -> [String]
    /// Wakes the dispatchers of `queue` in other processes at once (best effort: they also poll).
    func notifyQueue(_ queue: String) async

    // MARK: Executor leases (opt-in takeover of a dead executor's work)

    /// Makes sure the lease table exists.
    func prepareLeases() async throws
    /// Records that `executorID` is alive for `lease` from now, on the database's clock.
    func renewLease(executorID: String, lease: Duration) async throws
    /// Executors other than `excluding` whose lease has ended, on the database's clock.
    func expiredLeases(excluding: String) async throws -> [String]
    /// Moves the PENDING workflows of a dead executor that this process can run (application
    /// version, names) to `newExecutorID`: queued ones go back to ENQUEUED, the others are
    /// returned to be recovered here. Drops the dead executor's lease once it owns nothing.
    func takeOver(deadExecutorID: String, newExecutorID: String, applicationVersion: String,
                  workflowNames: [String]) async throws -> [PendingWorkflow]

    // MARK: Schedules

    func upsertSchedule(_ schedule: ScheduleRow) async throws
    func schedule(named name: String) async throws -> ScheduleRow?
    func listSchedules() async throws -> [ScheduleRow]
    func deleteSchedule(named name: String) async throws -> Bool
    /// Sets a schedule's status (`ACTIVE` or `PAUSED`). Returns whether it exists.
    func setScheduleStatus(named name: String, status: String) async throws -> Bool
    func recordScheduleFired(scheduleName: String, firedAt: String) async throws

    // MARK: Management

    func cancel(workflowIDs: [String], includeChildren: Bool) async throws -> [String]
    /// Puts those of `workflowIDs` that have not finished (not SUCCESS or ERROR) back on
    /// `queueName` from their last completed step; returns them.
    func resume(workflowIDs: [String], queueName: String) async throws -> [String]
    /// Extends the debounced DELAYED workflow holding the bounce's key (its delay and inputs),
    /// atomically, or says who holds the key.
    func bounce(_ bounce: DebounceBounce) async throws -> DebounceOutcome
    /// Those of `workflowIDs` that exist.
    func existingWorkflowIDs(_ workflowIDs: [String]) async throws -> Set<String>
    /// The one of `workflowIDs` that finished first (no longer PENDING, ENQUEUED or DELAYED), by
    /// its last update; nil while all are active.
    func firstFinished(among workflowIDs: [String]) async throws -> String?
    func fork(_ fork: WorkflowFork) async throws
    func delete(workflowIDs: [String], includeChildren: Bool) async throws -> [String]
    /// Every row of `workflowIDs` (and, with `includeChildren`, their descendants), by table;
    /// workflows that do not exist are left out.
    func exportWorkflows(_ workflowIDs: [String], includeChildren: Bool) async throws -> [ExportedWorkflow]
    /// Writes exported workflows' rows in one transaction; throws when one already exists.
    func importWorkflows(_ workflows: [ExportedWorkflow]) async throws
    /// Deletes finished workflows that completed before `completedBefore` (epoch ms), except the
    /// `keepLatest` most recently completed, with their finished descendants and everything
    /// recorded for them, `batchSize` workflows per transaction. Active workflows are never touched.
    func garbageCollect(completedBefore: Int64?, keepLatest: Int?, batchSize: Int) async throws -> GarbageCollectionReport

    // MARK: Change signals

    /// Delivers change signals until cancelled (see ``SQLDriver/runChangeFeed(channels:_:)``).
    func runChangeFeed(_ onSignal: @escaping @Sendable (_ channel: ChangeChannel?, _ payload: String) -> Void) async
    var fallbackPollInterval: Duration { get }
}
