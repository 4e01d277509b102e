import Foundation

/// One durable operation of a running workflow, reserved by
/// ``WorkflowContext/reserve(_:withDeadline:replay:)``: its ID in program order, what an
/// earlier execution recorded there, and how to replay such a record.
///
/// Everything a `DBOS.` call writes goes through ``resolve(_:ours:)``, the one place where a
/// write's outcome becomes a result, a replay or an error; retries, spans and metrics of
/// durable operations belong here.
final class Operation<Output>: Sendable {
    static var sleepName: String { "DBOS.sleep" }

    let context: WorkflowContext
    let functionID: Int
    let name: String
    /// The record an earlier execution wrote at this ID, if any.
    let recorded: StepRecord?
    let replay: @Sendable (StepRecord) throws -> Output
    /// The durable timeout of a waiting operation (receive, event), reserved right after it.
    let deadline: Operation<Double>?

    init(context: WorkflowContext, reserved: (functionID: Int, recorded: StepRecord?), name: String,
         replay: @escaping @Sendable (StepRecord) throws -> Output, deadline: Operation<Double>? = nil) {
        self.context = context
        self.functionID = reserved.functionID
        self.recorded = reserved.recorded
        self.name = name
        self.replay = replay
        self.deadline = deadline
    }

    var workflowID: String { context.workflowID }
    var ownerXID: String { context.ownerXID }
    var systemDatabase: any SystemDatabase { context.runtime.systemDatabase }

    /// This operation's record, to be written.
    func record(output: String? = nil, error: String? = nil, childWorkflowID: String? = nil, startedAt: Date = Date(),
                completedAt: Date? = Date(), serialization: String? = PortableJSON.formatName) -> StepRecord {
        StepRecord(workflowID: workflowID, functionID: functionID, functionName: name, output: output, error: error,
                   childWorkflowID: childWorkflowID, startedAt: startedAt, completedAt: completedAt, serialization: serialization)
    }

    /// What counts after a write of this operation: `ours` of the written value; an earlier
    /// (or concurrent) execution's record at this ID, replayed; or, when the workflow is no
    /// longer this execution's, ``DBOSError/Code/workflowCancelled`` or
    /// ``DBOSError/Code/executionSuperseded``.
    func resolve<Value>(_ write: OperationWrite<Value>, ours: (Value) throws -> Output) throws -> Output {
        switch write {
        case .recorded(let value):
            return try ours(value)
        case .alreadyRecorded(let existing):
            guard existing.functionName == name else {
                throw DBOSError.unexpectedStep(workflowID: workflowID, functionID: functionID,
                                               recorded: existing.functionName, requested: name)
            }
            return try replay(existing)
        case .notOwner(let status):
            if status == .cancelled { throw DBOSError.workflowCancelled(workflowID: workflowID) }
            throw DBOSError.executionSuperseded(workflowID: workflowID, status: status?.rawValue)
        }
    }

    /// Writes a plain record of this operation (no side effect) and resolves it.
    func commit(_ record: StepRecord, ours: () throws -> Output) async throws -> Output {
        try resolve(try await systemDatabase.recordOperation(record, ownerXID: ownerXID)) { try ours() }
    }
}

extension Operation<Double> {
    /// The durable deadline (epoch seconds) this operation stands for: recorded as
    /// `DBOS.sleep` the first time, read back afterwards, so a restart waits only for what is left.
    func durableDeadline(after timeout: Duration) async throws -> Double {
        try await context.perform(self) { operation in
            let now = Date()
            let deadline = now.timeIntervalSince1970 + timeout.seconds
            return try await operation.commit(operation.record(output: try PortableJSON.encode(deadline), startedAt: now, completedAt: now)) {
                deadline
            }
        }
    }
}

extension Operation where Output: Codable & Sendable {
    /// Runs a step body (with its retries) for the first time and records its output or
    /// error. When another execution recorded this step first, its outcome is the one that counts.
    func runStep(retries: RetryPolicy, _ body: @Sendable () async throws -> Output) async throws -> Output {
        let runtime = context.runtime
        let started = Date()
        let value: Output
        do {
            value = try await WorkflowContext.$insideStep.withValue(true) {
                try await retries.run(step: name, pause: { try await runtime.service.pause(for: $0) }, body)
            }
        } catch {
            // A body stopped by shutdown or cancellation did not fail: nothing is recorded, and
            // the step runs again when the workflow is recovered.
            if DBOSError.Code.shuttingDown ~= error || runtime.isShuttingDown || Task.isCancelled {
                throw DBOSError.shuttingDown
            }
            let failure = try PortableJSON.encode(WorkflowFailure(error))
            return try await commit(record(error: failure, startedAt: started)) { throw error }
        }
        return try await commit(record(output: try PortableJSON.encode(value), startedAt: started)) { value }
    }
}
