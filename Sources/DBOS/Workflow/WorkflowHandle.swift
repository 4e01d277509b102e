import Foundation

/// A started workflow. Await ``result()`` for its output, read its ``status()``, or manage
/// it: ``cancel(includeChildren:)``, ``resume(queueName:)``, ``fork(fromStep:newID:applicationVersion:queueName:partitionKey:timeout:)``.
/// The handle works from any process that shares the system database (from a ``DBOS``
/// runtime or a ``DBOSClient``).
public struct WorkflowHandle<Output: Codable & Sendable>: Sendable {
    /// The workflow's ID.
    public let workflowID: String
    let service: WorkflowService

    init(workflowID: String, service: WorkflowService) {
        self.workflowID = workflowID
        self.service = service
    }

    /// Waits for the workflow to finish and returns its output.
    ///
    /// Throws the workflow's error (its registered Swift type, else
    /// ``DBOSError/Code/workflowFailed``), ``DBOSError/Code/workflowCancelled``,
    /// or ``DBOSError/Code/decodingFailed`` when the output is not an `Output`.
    /// Inside a workflow, the wait is itself a checkpointed operation (`DBOS.getResult`).
    public func result() async throws -> Output {
        guard let context = WorkflowContext.forOperation(), context.runtime.service === service else {
            return try await service.result(of: workflowID, as: Output.self)
        }
        let workflowID = self.workflowID
        return try await context.operation("DBOS.getResult") { (operation: Operation<Output>) in
            let started = context.runtime.clock.now
            let outcome = try await service.awaitOutcome(workflowID)
            let succeeded = outcome.state == .success
            let ours = operation.record(output: succeeded ? outcome.output : nil,
                                        error: succeeded ? nil : try outcome.storedError(workflowID: workflowID),
                                        childWorkflowID: workflowID, startedAt: started, serialization: outcome.serialization)
            return try await operation.commit(ours) { try context.decoded(ours) }
        }
    }

    /// The workflow's current status row.
    public func status() async throws -> WorkflowStatus {
        try await service.existingStatus(workflowID)
    }

    /// Cancels the workflow if it has not finished: it stops before its next step (a running
    /// step finishes), here or in any other process. With `includeChildren`, its descendants too.
    public func cancel(includeChildren: Bool = false) async throws {
        try await service.cancel([workflowID], includeChildren: includeChildren)
    }

    /// Continues a cancelled (or stranded) workflow from its last completed step, on the
    /// internal queue (or `queueName`) of whichever process runs its application version. A
    /// finished workflow is left as it is, as in DBOS.
    public func resume(queueName: String? = nil) async throws {
        try await service.resume([workflowID], queueName: queueName)
    }

    /// Starts a new workflow that reuses the recorded outcomes of this one's operations before
    /// `fromStep` and runs the current code from that step on. Returns the new workflow's handle.
    /// The options are those of ``WorkflowManaging/fork(_:fromStep:newID:applicationVersion:queueName:partitionKey:timeout:)``.
    public func fork(fromStep: Int, newID: String? = nil, applicationVersion: String? = nil,
                     queueName: String? = nil, partitionKey: String? = nil, timeout: Duration? = nil) async throws -> WorkflowHandle<Output> {
        let id = try await service.fork(workflowID, fromStep: fromStep, newID: newID, applicationVersion: applicationVersion,
                                        queueName: queueName, partitionKey: partitionKey, timeout: timeout)
        return WorkflowHandle(workflowID: id, service: service)
    }

    /// The workflow's recorded operations, in order.
    public func steps() async throws -> [StepRecord] {
        try await service.steps(workflowID)
    }
}
