import Foundation

/// The durable operations the runtime needs, independent of SQL and of Swift types:
/// only names, IDs and serialized text cross this boundary.
protocol SystemDatabase: Sendable {
    var backendName: String { get }

    func migrate() async throws -> MigrationReport

    /// Inserts a workflow's status and input, or returns the existing row unchanged.
    func insertWorkflow(_ insert: WorkflowInsert) async throws -> WorkflowInsertResult
    /// Inserts a child workflow and records it as an operation of its parent, atomically.
    func insertChildWorkflow(_ insert: WorkflowInsert, parentStep: StepRecord) async throws -> WorkflowInsertResult

    /// Records a completed operation if `ownerXID` still owns the workflow.
    func recordStep(_ step: StepRecord, ownerXID: String?) async throws -> StepWriteOutcome
    /// Every recorded operation of a workflow, in function ID order.
    func steps(workflowID: String) async throws -> [StepRecord]
    /// One recorded operation, if present.
    func step(workflowID: String, functionID: Int) async throws -> StepRecord?

    /// Records a terminal outcome if the workflow is still PENDING (and owned by `ownerXID`).
    func completeWorkflow(workflowID: String, ownerXID: String?, status: WorkflowState, output: String?, error: String?) async throws -> Bool

    func workflowStatus(workflowID: String) async throws -> WorkflowStatus?
    func listWorkflows(_ filter: ListWorkflowsFilter) async throws -> [WorkflowStatus]

    /// IDs and names of PENDING workflows of this executor and application version.
    func pendingWorkflows(executorID: String, applicationVersion: String) async throws -> [(id: String, name: String)]
    /// Takes ownership of a PENDING workflow for recovery, counting the attempt; past
    /// `maxAttempts` the row becomes MAX_RECOVERY_ATTEMPTS_EXCEEDED instead.
    func claimForRecovery(workflowID: String, ownerXID: String, maxAttempts: Int?) async throws -> RecoveryClaim

    // Messaging
    func send(_ message: OutgoingMessage, from sender: StepRecord?, ownerXID: String?) async throws
    func consumeMessage(workflowID: String, topic: String, step: StepRecord, ownerXID: String) async throws -> StepRecord?
    func setEvent(workflowID: String, key: String, value: String, step: StepRecord, ownerXID: String) async throws
    func getEvent(workflowID: String, key: String) async throws -> (value: String, serialization: String?)?
    func writeStream(workflowID: String, key: String, value: String, functionID: Int, step: StepRecord?, ownerXID: String?) async throws
    func readStream(workflowID: String, key: String, fromOffset: Int) async throws -> [(offset: Int, value: String, serialization: String?)]
    /// Why an operation record could not be written: already there, or the workflow is not ours.
    func diagnoseUnrecorded(_ step: StepRecord) async throws -> StepWriteOutcome

    // Queues
    func claimQueued(_ queue: QueueClaim) async throws -> [ClaimedWorkflow]
    func releaseDelayed() async throws -> [String]
    func cancelTimedOut() async throws -> [String]
    func lostOwnership(_ owned: [(workflowID: String, ownerXID: String)]) async throws -> [String]
    func requeuePending(executorID: String, applicationVersion: String) async throws -> Int
    func upsertQueue(_ queue: QueueDefinition) async throws
    /// The active (ENQUEUED, DELAYED or PENDING) workflow holding a deduplication ID on a queue.
    func activeWorkflowID(queue: String, deduplicationID: String) async throws -> String?
    /// The distinct partition keys of a queue's ENQUEUED workflows that `workflowNames` can run.
    func queuePartitions(queue: String, applicationVersion: String, workflowNames: [String]) async throws -> [String]

    // Executor leases (opt-in takeover of a dead executor's work)
    /// Makes sure the lease table exists.
    func prepareLeases() async throws
    /// Records that `executorID` is alive until `expiresAt` (epoch milliseconds).
    func renewLease(executorID: String, expiresAt: Int64) async throws
    /// Executors other than `excluding` whose lease ended before `now`.
    func expiredLeases(now: Int64, excluding: String) async throws -> [String]
    /// Moves the PENDING workflows of a dead executor that this process can run (application
    /// version, names) to `newExecutorID`: queued ones go back to ENQUEUED, the others are
    /// returned to be recovered here. Drops the dead executor's lease once it owns nothing.
    func takeOver(deadExecutorID: String, newExecutorID: String, applicationVersion: String,
                  workflowNames: [String]) async throws -> [(id: String, name: String)]

    // Schedules
    func upsertSchedule(_ schedule: ScheduleRow) async throws
    func schedule(named name: String) async throws -> ScheduleRow?
    func listSchedules() async throws -> [ScheduleRow]
    func deleteSchedule(named name: String) async throws -> Bool
    func recordScheduleFired(scheduleName: String, workflowID: String, firedAt: String) async throws

    // Management
    func cancel(workflowIDs: [String], includeChildren: Bool) async throws -> [String]
    func resume(workflowID: String, queueName: String) async throws -> Bool
    func fork(workflowID: String, newID: String, startStep: Int, applicationVersion: String, queueName: String) async throws
    func delete(workflowIDs: [String], includeChildren: Bool) async throws -> [String]
    /// Drops every DBOS table (all workflows, steps, messages...) and migrates again.
    func reset() async throws -> MigrationReport

    /// Delivers change signals until cancelled (see ``SQLDriver/runChangeFeed(channels:_:)``).
    func runChangeFeed(_ onSignal: @escaping @Sendable (_ channel: String?, _ payload: String) -> Void) async
    var fallbackPollInterval: Duration { get }

    func close() async
}

extension SystemDatabase {
    /// Inserts a queued workflow. Returns the ID that now stands for this enqueue: the new (or
    /// already existing) `insert.workflowID` with the row's name and status, or, when the
    /// deduplication ID is taken and `onDuplicate` is `.returnExisting`, the workflow holding it
    /// (with no insert result).
    func enqueue(_ insert: WorkflowInsert, onDuplicate: DuplicatePolicy) async throws -> (workflowID: String, result: WorkflowInsertResult?) {
        do {
            return (insert.workflowID, try await insertWorkflow(insert))
        } catch DBOSError.queueDeduplicated(let queue, let deduplicationID) where onDuplicate == .returnExisting {
            guard let existing = try await activeWorkflowID(queue: queue, deduplicationID: deduplicationID) else {
                throw DBOSError.queueDeduplicated(queue: queue, deduplicationID: deduplicationID)
            }
            return (existing, nil)
        }
    }
}

/// The values of a new workflow row.
struct WorkflowInsert: Sendable {
    var workflowID: String
    var name: String
    var status: WorkflowState = .pending
    /// Nil for a workflow enqueued by a client: any executor (of any version) may run it.
    var executorID: String?
    var applicationVersion: String?
    var applicationName: String?
    var queueName: String?
    var timeoutMilliseconds: Int64?
    var deadlineEpochMilliseconds: Int64?
    var parentWorkflowID: String?
    var ownerXID: String
    var inputs: String
    var serialization: String = PortableJSON.formatName
    var priority: Int = 0
    var deduplicationID: String?
    var partitionKey: String?
    var authenticatedUser: String?
    var createdAt: Int64
    var delayUntilEpochMilliseconds: Int64?
}

/// The row that is in the database after an insert.
struct WorkflowInsertResult: Sendable {
    var status: String
    var name: String
    /// True when this insert created the row (so this caller owns its execution).
    var created: Bool
    var serialization: String?
}

/// What happened to a step write.
enum StepWriteOutcome: Sendable, Equatable {
    case recorded
    /// A row already exists at this function ID (a concurrent or earlier execution wrote it).
    case alreadyRecorded(StepRecord)
    /// The workflow no longer belongs to this execution (cancelled, finished or handed over).
    case notOwner(status: String?)
}

/// The result of claiming a workflow for recovery.
enum RecoveryClaim: Sendable {
    case claimed(name: String, inputs: String?, serialization: String?, attempts: Int)
    case exceeded(attempts: Int)
    /// The row is no longer PENDING (finished, cancelled, or claimed by someone else).
    case notPending
}
