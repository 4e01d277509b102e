import Foundation
import Logging

/// Running a workflow body in this process and recording how it ended.
extension DBOS {
    /// Starts executing a workflow as a child of the runtime's task group. An execution that
    /// cannot start (the runtime is stopping) leaves the workflow PENDING for recovery.
    func execute(_ registration: WorkflowRegistration, workflowID: String, inputs: String, ownerXID: String,
                 recorded: [StepRecord], queueName: String? = nil, partitionKey: String? = nil,
                 deadlineEpochMilliseconds: Int64? = nil) {
        guard running.begin(workflowID, queueName: queueName, partitionKey: partitionKey, ownerXID: ownerXID) else {
            // An older execution of this workflow still runs here (for example it was cancelled and
            // then resumed while blocked): it stops at its next operation, then this one starts.
            tasks.spawn {
                _ = await self.running.wait(for: workflowID)
                self.execute(registration, workflowID: workflowID, inputs: inputs, ownerXID: ownerXID, recorded: recorded,
                             queueName: queueName, partitionKey: partitionKey, deadlineEpochMilliseconds: deadlineEpochMilliseconds)
            }
            return
        }
        let context = WorkflowContext(runtime: self, workflowID: workflowID, workflowName: registration.name,
                                      ownerXID: ownerXID, recorded: recorded, deadlineEpochMilliseconds: deadlineEpochMilliseconds)
        let spawned = tasks.spawn {
            let result: Result<String, any Error>
            do {
                let output = try await WorkflowContext.$current.withValue(context) {
                    try await WorkflowContext.$insideStep.withValue(false) { try await registration.invoke(inputs) }
                }
                result = .success(output)
            } catch {
                result = .failure(error)
            }
            let outcome = await self.recordOutcome(result, context: context)
            if let queue = self.running.finish(workflowID, outcome: outcome) {
                self.hub.signal(WakeupHub.queueKey(queue))   // a slot is free
            }
        }
        if !spawned { running.finish(workflowID, outcome: nil) }
    }

    /// Writes a finished workflow's status and output or error. Returns nil when nothing was
    /// written (shutdown, cancellation or another owner): waiters then read the database.
    private func recordOutcome(_ result: Result<String, any Error>, context: WorkflowContext) async -> WorkflowOutcome? {
        let outcome: WorkflowOutcome
        switch result {
        case .success(let output):
            outcome = WorkflowOutcome(state: .success, output: output, serialization: PortableJSON.formatName)
        case .failure(let error):
            if Self.stopsWithoutOutcome(error) || isShuttingDown || Task.isCancelled {
                context.logger.info("workflow stopped without completing", metadata: ["reason": "\(error)"])
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
            context.logger.error("could not record workflow outcome; it stays PENDING for recovery", metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// Errors that end an execution without ending the workflow: it was stopped (shutdown,
    /// cancellation, task cancellation) or another execution owns it now.
    static func stopsWithoutOutcome(_ error: any Error) -> Bool {
        if error is CancellationError { return true }
        guard let error = error as? DBOSError else { return false }
        return [.shuttingDown, .workflowCancelled, .executionSuperseded].contains(error.code)
    }
}
