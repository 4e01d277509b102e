import Foundation

/// A started workflow. Await ``result()`` for its output; the handle works from any process
/// that shares the system database.
public struct WorkflowHandle<Output: Codable & Sendable>: Sendable {
    /// The workflow's ID.
    public let workflowID: String
    let runtime: DBOS

    init(workflowID: String, runtime: DBOS) {
        self.workflowID = workflowID
        self.runtime = runtime
    }

    /// Waits for the workflow to finish and returns its output.
    ///
    /// Throws the workflow's error (its registered Swift type, else
    /// ``DBOSError/workflowFailed(_:)``), ``DBOSError/workflowCancelled(workflowID:)``,
    /// or ``DBOSError/decodingFailed(what:type:reason:)`` when the output is not an `Output`.
    /// Inside a workflow, the wait is itself a checkpointed operation (`DBOS.getResult`).
    public func result() async throws -> Output {
        guard let context = WorkflowContext.current, !WorkflowContext.insideStep, context.runtime === runtime else {
            return try runtime.decodeOutcome(try await runtime.awaitOutcome(workflowID), workflowID: workflowID, as: Output.self)
        }
        try context.checkRunnable()
        let functionID = context.nextFunctionID()
        let name = "DBOS.getResult"
        if let record = try context.recorded(functionID, expecting: name) {
            return try context.replay(record, as: Output.self)
        }
        let started = Date()
        let outcome = try await runtime.awaitOutcome(workflowID)
        let ours = StepRecord(workflowID: context.workflowID, functionID: functionID, functionName: name,
                              output: outcome.status == WorkflowState.success.rawValue ? outcome.output : nil,
                              error: outcome.status == WorkflowState.success.rawValue ? nil : try runtime.storedError(of: outcome, workflowID: workflowID),
                              childWorkflowID: workflowID, startedAt: started, completedAt: Date(),
                              serialization: outcome.serialization)
        let stored = try await context.record(ours)
        return try context.replay(stored, as: Output.self)
    }

    /// The workflow's current status row.
    public func status() async throws -> WorkflowStatus {
        guard let status = try await runtime.systemDatabase.workflowStatus(workflowID: workflowID) else {
            throw DBOSError.nonexistentWorkflow(workflowID: workflowID)
        }
        return status
    }
}
