import Foundation
import Logging
import Tracing

/// Creating workflow rows: started here, enqueued, or as the child of a running workflow.
extension DBOS {
    /// Starts a registered workflow by name with already-encoded inputs (inside a workflow, as
    /// its child). Returns its ID. A new row is executed here; an existing ID joins that workflow.
    func startWorkflow(name: String, inputs: String, options: WorkflowOptions) async throws -> String {
        try requireLaunched("starting workflow '\(name)'")
        guard let registration = registration(named: name) else { throw DBOSError.workflowNotRegistered(name: name) }
        let now = clock.nowMilliseconds
        var insert = WorkflowInsert(
            workflowID: options.workflowID ?? UUID().uuidString.lowercased(), name: name, executorID: executorID,
            applicationVersion: applicationVersion, ownerXID: UUID().uuidString.lowercased(), inputs: inputs,
            serialization: PortableJSON.formatName, createdAt: now)
        if let timeout = options.timeout {
            insert.timeoutMilliseconds = timeout.milliseconds
            insert.deadlineEpochMilliseconds = now + timeout.milliseconds
        }
        insert.inheritsDeadline = options.inheritsDeadline
        let (workflowID, result, startedIn) = try await insertWorkflow(insert, explicitID: options.workflowID, onDuplicate: .throwError)
        if let result, result.created {
            execute(registration, workflowID: workflowID, inputs: inputs, ownerXID: insert.ownerXID, recorded: [],
                    deadlineEpochMilliseconds: insert.deadlineEpochMilliseconds,
                    trace: ExecutionTrace(origin: .new, parent: startedIn ?? .topLevel))
        }
        return workflowID
    }

    /// Enqueues a workflow by name with already-encoded inputs (inside a workflow, as its child).
    /// Returns the ID that now stands for it.
    func enqueueWorkflow(name: String, inputs: String, queue: String, options: EnqueueOptions,
                         scheduleName: String? = nil) async throws -> String {
        try requireLaunched("enqueueing workflow '\(name)'")
        var insert = try WorkflowInsert(queued: name, inputs: inputs, queue: queue, options: options,
                                        executorID: executorID, applicationVersion: options.applicationVersion ?? applicationVersion,
                                        now: clock.now)
        insert.scheduleName = scheduleName
        let (workflowID, _, _) = try await insertWorkflow(insert, explicitID: options.workflowID, onDuplicate: options.onDuplicate)
        hub.signal(WakeupHub.queueKey(queue))
        return workflowID
    }

    /// Inserts a workflow row: from inside a workflow as its child operation, else directly.
    /// Returns the workflow's ID, the row found (nil when a replay returned the recorded child,
    /// or a deduplicated enqueue returned the active workflow), and the trace context it was
    /// started in (the caller's, or the parent's start operation).
    private func insertWorkflow(_ insert: WorkflowInsert, explicitID: String?, onDuplicate: DuplicatePolicy) async throws
        -> (workflowID: String, result: WorkflowInsertResult?, startedIn: ServiceContext?) {
        let inserted: (workflowID: String, result: WorkflowInsertResult?, startedIn: ServiceContext?)
        if let parent = WorkflowContext.forOperation(on: self) {
            inserted = try await parent.startChild(insert, explicitID: explicitID, onDuplicate: onDuplicate)
        } else {
            let (workflowID, result) = try await service.insert(insert, onDuplicate: onDuplicate)
            inserted = (workflowID, result, ServiceContext.current)
        }
        if let result = inserted.result, result.name != insert.name {
            throw DBOSError.conflictingWorkflow(workflowID: inserted.workflowID, existingName: result.name, requestedName: insert.name)
        }
        return inserted
    }
}

extension WorkflowContext {
    /// Starts or enqueues a child workflow as an operation of this workflow: its ID is
    /// `<parent ID>-<operation ID>` unless given, it inherits the deadline unless it has a
    /// timeout of its own, and a replay returns the recorded child without inserting again.
    ///
    /// Its failures are recorded as its outcome too (an ID that belongs to another workflow, a
    /// taken deduplication ID), so a recovery meets the same error instead of trying again and
    /// perhaps creating a child the first execution never had.
    func startChild(_ insert: WorkflowInsert, explicitID: String?, onDuplicate: DuplicatePolicy)
        async throws -> (workflowID: String, result: WorkflowInsertResult?, startedIn: ServiceContext?) {
        let parentID = workflowID
        return try await operation(insert.name, type: .childWorkflow, replay: { record in
            try self.rethrowRecordedError(of: record)
            guard let child = record.childWorkflowID else {
                throw DBOSError.malformedRow(table: "operation_outputs", column: "child_workflow_id",
                                             reason: "is NULL for operation \(record.functionID) of workflow '\(parentID)'")
            }
            return (child, nil, nil)
        }) { operation in
            var child = insert
            child.attributes = TraceCarrier.attributes()   // the child-start span is its parent
            child.workflowID = explicitID ?? "\(parentID)-\(operation.functionID)"
            child.parentWorkflowID = parentID
            if child.timeoutMilliseconds == nil && child.inheritsDeadline { child.deadlineEpochMilliseconds = deadlineEpochMilliseconds }
            let database = operation.systemDatabase
            do {
                let write = try await database.insertChildWorkflow(
                    child, as: operation.record(childWorkflowID: child.workflowID), ownerXID: ownerXID)
                return try operation.resolve(write) { result in (child.workflowID, result, ServiceContext.current) }
            } catch DBOSError.Code.queueDeduplicated {
                if onDuplicate == .returnExisting, let queue = child.queueName, let deduplicationID = child.deduplicationID,
                   let existing = try await database.activeWorkflowID(queue: queue, deduplicationID: deduplicationID) {
                    return try await operation.commit(operation.record(childWorkflowID: existing)) { (existing, nil, nil) }
                }
                return try await recordFailure(of: operation, DBOSError.queueDeduplicated(
                    queue: child.queueName ?? "", deduplicationID: child.deduplicationID ?? ""))
            } catch let error as DBOSError where error.code == .conflictingWorkflow {
                return try await recordFailure(of: operation, error)
            }
        }
    }

    /// Records `error` as the outcome of `operation`, then throws it (or replays what an
    /// earlier execution recorded there).
    private func recordFailure<Output>(of operation: Operation<Output>, _ error: DBOSError) async throws -> Output {
        let failure = try PortableJSON.encode(WorkflowFailure(error))
        return try await operation.commit(operation.record(error: failure)) { throw error }
    }
}

extension WorkflowService {
    /// Inserts a workflow row outside any workflow, carrying the caller's trace. When a queued
    /// insert's deduplication ID is taken and `onDuplicate` is `.returnExisting`, returns the
    /// workflow holding it instead.
    func insert(_ insert: WorkflowInsert, onDuplicate: DuplicatePolicy) async throws -> (workflowID: String, result: WorkflowInsertResult?) {
        var insert = insert
        insert.attributes = TraceCarrier.attributes()
        do {
            return (insert.workflowID, try await systemDatabase.insertWorkflow(insert))
        } catch DBOSError.Code.queueDeduplicated where onDuplicate == .returnExisting {
            guard let queue = insert.queueName, let deduplicationID = insert.deduplicationID,
                  let existing = try await systemDatabase.activeWorkflowID(queue: queue, deduplicationID: deduplicationID)
            else { throw DBOSError.queueDeduplicated(queue: insert.queueName ?? "", deduplicationID: insert.deduplicationID ?? "") }
            return (existing, nil)
        }
    }
}

extension WorkflowInsert {
    /// A workflow put on `queue` (ENQUEUED, or DELAYED when the options delay it), after
    /// checking the options. `executorID` nil lets any executor run it.
    init(queued name: String, inputs: String, queue: String, options: EnqueueOptions, executorID: String?,
         applicationVersion: String?, now: Date) throws {
        try options.validate(workflowName: name, queue: queue)
        let now = now.epochMilliseconds
        self.init(
            workflowID: options.workflowID ?? UUID().uuidString.lowercased(), name: name,
            status: options.delay == nil ? .enqueued : .delayed, executorID: executorID,
            applicationVersion: applicationVersion, queueName: queue, timeoutMilliseconds: options.timeout?.milliseconds,
            ownerXID: UUID().uuidString.lowercased(), inputs: inputs, serialization: PortableJSON.formatName,
            priority: options.priority, deduplicationID: options.deduplicationID, partitionKey: options.partitionKey,
            createdAt: now, delayUntilEpochMilliseconds: options.delay.map { now + $0.milliseconds })
        inheritsDeadline = options.inheritsDeadline
    }
}

/// Running a workflow body in this process and recording how it ended.
extension DBOS {
    /// Starts executing a workflow in a task of its own, tracked in ``RunningWorkflows`` (the
    /// runtime's drain waits for it and cancels it after the shutdown timeout). A task rather
    /// than a child of the runtime's group: handing each start to the group's loop costs one more
    /// scheduling hop, about a tenth of a sequential workflow's latency on PostgreSQL. An
    /// execution that cannot start (the runtime is stopping) leaves the workflow PENDING.
    func execute(_ registration: WorkflowRegistration, workflowID: String, inputs: String, ownerXID: String,
                 recorded: [StepRecord], queueName: String? = nil, partitionKey: String? = nil,
                 deadlineEpochMilliseconds: Int64? = nil, trace: ExecutionTrace) {
        guard running.begin(workflowID, queueName: queueName, partitionKey: partitionKey, ownerXID: ownerXID) else {
            // An older execution of this workflow still runs here (for example it was cancelled and
            // then resumed while blocked): it is stopped, then this one starts.
            running.supersede(workflowID, by: ownerXID)
            tasks.spawn {
                _ = await self.running.wait(for: workflowID)
                self.execute(registration, workflowID: workflowID, inputs: inputs, ownerXID: ownerXID, recorded: recorded,
                             queueName: queueName, partitionKey: partitionKey, deadlineEpochMilliseconds: deadlineEpochMilliseconds,
                             trace: trace)
            }
            return
        }
        let context = WorkflowContext(runtime: self, workflowID: workflowID, workflowName: registration.name,
                                      ownerXID: ownerXID, recorded: recorded, deadlineEpochMilliseconds: deadlineEpochMilliseconds)
        guard !isShuttingDown else {
            running.finish(workflowID, outcome: nil)
            return
        }
        metrics.workflowStarted(registration.name, origin: trace.origin)
        let task = Task {
            let span = self.startWorkflowSpan(registration.name, workflowID: workflowID, queueName: queueName,
                                              recoveryAttempt: trace.recoveryAttempt, parent: trace.parent)
            let result: Result<String, any Error>
            do {
                let output = try await ServiceContext.$current.withValue(span.context) {
                    try await WorkflowContext.$current.withValue(context) {
                        try await WorkflowContext.$currentStep.withValue(nil) { try await registration.invoke(inputs) }
                    }
                }
                result = .success(output)
            } catch {
                result = .failure(error)
            }
            self.running.markCompleting(workflowID)
            let outcome = await self.recordOutcome(result, context: context)
            if let state = outcome?.state { self.metrics.workflowEnded(registration.name, state: state) }
            if case .failure(let error) = result, outcome == nil, Self.isCancellation(error, of: workflowID) {
                self.metrics.workflowEnded(registration.name, state: .cancelled)
            }
            self.endWorkflowSpan(span, recorded: outcome?.state, error: result.failure)
            self.handedBack.executionEnded(workflowID)
            if let queue = self.running.finish(workflowID, outcome: outcome) {
                self.hub.signal(WakeupHub.queueKey(queue))   // a slot is free
            }
        }
        running.attach(workflowID, task: task)
    }

    /// Writes a finished workflow's status and output or error. Returns nil when nothing was
    /// written (shutdown, cancellation or another owner): waiters then read the database.
    private func recordOutcome(_ result: Result<String, any Error>, context: WorkflowContext) async -> WorkflowOutcome? {
        let outcome: WorkflowOutcome
        switch result {
        case .success(let output):
            outcome = WorkflowOutcome(state: .success, output: output, serialization: PortableJSON.formatName)
        case .failure(let error):
            if Self.stopsWithoutOutcome(error, of: context.workflowID) || isShuttingDown || Task.isCancelled {
                context.logger.info("workflow stopped without completing", metadata: ["reason": "\(error)"])
                return nil
            }
            // The system database's own failure is not the workflow's: it stays PENDING and is
            // recovered here after a backoff, rather than recorded as an ERROR it did not make.
            if let failure = error as? DBOSError, failure.code == .databaseError {
                handBack(context.workflowID, because: "stopped by a system database error: \(failure)")
                return nil
            }
            guard let encoded = try? PortableJSON.encode(WorkflowFailure(error)) else { return nil }
            outcome = WorkflowOutcome(state: .error, error: encoded, serialization: PortableJSON.formatName)
        }
        do {
            let written = try await systemDatabase.completeWorkflow(
                workflowID: context.workflowID, ownerXID: context.ownerXID, state: outcome.state,
                output: outcome.output, error: outcome.error)
            return written ? outcome : nil
        } catch {
            if !isShuttingDown { handBack(context.workflowID, because: "its outcome could not be recorded: \(error)") }
            return nil
        }
    }

    /// Errors that end an execution of `workflowID` without ending the workflow: it was
    /// stopped (shutdown, its cancellation, task cancellation) or another execution owns it now.
    /// Another workflow's cancellation (a child awaited by this one) is an ordinary failure.
    static func isCancellation(_ error: any Error, of workflowID: String) -> Bool {
        guard let error = error as? DBOSError else { return false }
        return error.code == .workflowCancelled && error.workflowID == workflowID
    }

    static func stopsWithoutOutcome(_ error: any Error, of workflowID: String) -> Bool {
        if error is CancellationError { return true }
        guard let error = error as? DBOSError else { return false }
        if error.code == .shuttingDown { return true }
        return [.workflowCancelled, .executionSuperseded].contains(error.code) && error.workflowID == workflowID
    }
}

/// Where an execution of a workflow came from, and the trace its span joins.
struct ExecutionTrace: Sendable {
    var origin: RuntimeMetrics.Origin
    /// The caller's context for a workflow started here, else the one stored with the workflow.
    var parent: ServiceContext
    /// Executions before this one (0 for the first).
    var recoveryAttempt: Int = 0

    /// The trace of an execution that resumes or dequeues a stored workflow.
    static func stored(_ origin: RuntimeMetrics.Origin, attributes: String?, recoveryAttempt: Int) -> ExecutionTrace {
        ExecutionTrace(origin: origin, parent: TraceCarrier.context(fromAttributes: attributes) ?? .topLevel,
                       recoveryAttempt: recoveryAttempt)
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
