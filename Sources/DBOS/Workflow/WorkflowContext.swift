import Foundation
import Logging
import Synchronization

/// The running workflow, found by every `DBOS.` static call through a task-local value.
final class WorkflowContext: Sendable {
    @TaskLocal static var current: WorkflowContext?
    /// True while a step body runs: workflow operations inside a step run as plain code.
    @TaskLocal static var insideStep = false

    let runtime: DBOS
    let workflowID: String
    let workflowName: String
    let ownerXID: String
    /// When the workflow times out (epoch ms); children inherit it.
    let deadlineEpochMilliseconds: Int64?
    let logger: Logger
    private let state: Mutex<State>

    private struct State {
        var nextFunctionID = 1
        var recorded: [Int: StepRecord]
    }

    init(runtime: DBOS, workflowID: String, workflowName: String, ownerXID: String, recorded: [StepRecord],
         deadlineEpochMilliseconds: Int64? = nil) {
        self.runtime = runtime
        self.deadlineEpochMilliseconds = deadlineEpochMilliseconds
        self.workflowID = workflowID
        self.workflowName = workflowName
        self.ownerXID = ownerXID
        var logger = runtime.logger
        logger[metadataKey: "workflowID"] = "\(workflowID)"
        self.logger = logger
        self.state = Mutex(State(recorded: Dictionary(recorded.map { ($0.functionID, $0) }, uniquingKeysWith: { first, _ in first })))
    }

    /// Reserves the next operation ID. IDs follow program order; see ``DBOS/startStep(_:retries:_:)``
    /// for concurrent operations.
    func nextFunctionID() -> Int {
        state.withLock { state in
            defer { state.nextFunctionID += 1 }
            return state.nextFunctionID
        }
    }

    /// The checkpoint recorded at `functionID` by an earlier execution, after checking that
    /// it belongs to the same operation.
    func recorded(_ functionID: Int, expecting name: String) throws -> StepRecord? {
        guard let record = state.withLock({ $0.recorded[functionID] }) else { return nil }
        guard record.functionName == name else {
            throw DBOSError.unexpectedStep(workflowID: workflowID, functionID: functionID, recorded: record.functionName, requested: name)
        }
        return record
    }

    /// Throws when the workflow must not start another operation (shutdown, cancellation).
    func checkRunnable() throws {
        if runtime.isShuttingDown { throw DBOSError.shuttingDown }
        if runtime.running.isCancelled(workflowID) { throw DBOSError.workflowCancelled(workflowID: workflowID) }
        if let deadline = deadlineEpochMilliseconds, Clock.nowMillis() > deadline {
            throw DBOSError.workflowCancelled(workflowID: workflowID)
        }
    }

    /// Records an operation's outcome, turning a lost race or a lost ownership into the right error.
    /// Returns the record to use: ours, or one an earlier execution wrote at the same ID.
    @discardableResult
    func record(_ step: StepRecord) async throws -> StepRecord {
        try resolve(try await runtime.systemDatabase.recordStep(step, ownerXID: ownerXID), for: step)
    }

    /// The record that counts after a write attempt: ours, or one an earlier execution wrote at
    /// the same ID; a different operation there, or a workflow no longer ours, is an error.
    func resolve(_ outcome: StepWriteOutcome, for step: StepRecord) throws -> StepRecord {
        switch outcome {
        case .recorded:
            return step
        case .alreadyRecorded(let existing):
            guard existing.functionName == step.functionName else {
                throw DBOSError.unexpectedStep(workflowID: workflowID, functionID: step.functionID,
                                               recorded: existing.functionName, requested: step.functionName)
            }
            return existing
        case .notOwner(let status):
            if status == WorkflowState.cancelled.rawValue { throw DBOSError.workflowCancelled(workflowID: workflowID) }
            throw DBOSError.executionSuperseded(workflowID: workflowID, status: status)
        }
    }

    /// Reads a recorded outcome back: the output decoded as `T`, or the recorded error thrown.
    func replay<T: Decodable>(_ record: StepRecord, as type: T.Type) throws -> T {
        let what = "output of operation \(record.functionID) ('\(record.functionName)') of workflow '\(workflowID)'"
        if let error = record.error {
            throw runtime.errors.error(from: try Payload.decodeFailure(error, serialization: record.serialization, what: what))
        }
        try Payload.requirePortable(record.serialization, what: what)
        return try PortableJSON.decode(T.self, from: record.output ?? "null", what: what)
    }
}
