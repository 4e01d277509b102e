import Foundation

/// What replaying one recorded workflow with the current code found.
@_spi(DBOSTesting)
public enum HistoryReplayResult: Sendable, Equatable {
    /// The code asked for the recorded operations in the recorded order: all of them for a
    /// finished workflow, a prefix for one still running or stopped early.
    case matches
    /// At operation `functionID` the code and the history part ways: the history recorded
    /// `recorded` (nil: it ends before this point) and the code asked for `requested` (nil:
    /// the code finished without it).
    case differs(functionID: Int, recorded: String?, requested: String?)
    /// The code finished, but not as the workflow did (it succeeded where the workflow
    /// failed, or failed where it succeeded): `detail` says how.
    case endsDifferently(detail: String)
    /// No workflow of this name is registered with the runtime.
    case notRegistered
    /// The history cannot be replayed here: its inputs are in another language's format.
    case unreadable(reason: String)
}

extension DBOS {
    /// Runs the registered code of `workflow` against its recorded `steps` without executing a
    /// step or writing anything: every operation is served from the history, and the first
    /// one the history does not have (or has under another name) ends the replay.
    ///
    /// The runtime need not be launched; it is used for its registry, registered error types
    /// and clock.
    @_spi(DBOSTesting)
    public func replayHistory(of workflow: WorkflowStatus, steps: [StepRecord]) async -> HistoryReplayResult {
        guard let registration = registration(named: workflow.name) else { return .notRegistered }
        do {
            try PortableJSON.requireReadable(workflow.serialization, what: "the inputs of workflow '\(workflow.workflowID)'")
        } catch {
            return .unreadable(reason: "\(error)")
        }
        let context = WorkflowContext(runtime: self, workflowID: workflow.workflowID, workflowName: workflow.name,
                                      ownerXID: "replay-check", recorded: steps, mode: .replayOnly)
        let result: Result<String, any Error>
        do {
            let output = try await WorkflowContext.$current.withValue(context) {
                try await WorkflowContext.$currentStep.withValue(nil) { try await registration.invoke(workflow.input ?? PortableJSON.noArguments) }
            }
            result = .success(output)
        } catch {
            result = .failure(error)
        }
        let finished = !workflow.state.isActive && workflow.state != .cancelled
        let recordedIDs = steps.map(\.functionID)
        switch result {
        case .failure(let ended as HistoryEnded):
            // Past the end of the history: new work for a workflow that has not finished, a
            // divergence for one that has (or for any, where the history has another operation).
            if ended.recorded == nil && !finished { return .matches }
            return .differs(functionID: ended.functionID, recorded: ended.recorded, requested: ended.requested)
        case .failure(let error as DBOSError) where error.code == .decodingFailed && context.operationsTaken == 0:
            return .endsDifferently(detail: "the code cannot read the workflow's inputs: \(error)")
        default:
            break
        }
        // The code finished: every recorded operation must have been asked for.
        if let unused = recordedIDs.filter({ $0 > context.operationsTaken }).min(),
           let step = steps.first(where: { $0.functionID == unused }) {
            return .differs(functionID: unused, recorded: step.functionName, requested: nil)
        }
        guard finished else { return .matches }
        switch (workflow.state, result) {
        case (.success, .failure(let error)):
            return .endsDifferently(detail: "the workflow succeeded; the code now throws \(error)")
        case (.error, .success):
            return .endsDifferently(detail: "the workflow failed; the code now succeeds")
        default:
            return .matches
        }
    }
}
