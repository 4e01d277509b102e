import Foundation
import Logging
import Synchronization
import Tracing

/// The engine's view of one running execution of a workflow, found by every `DBOS.` static
/// call through a task-local value, and the one operation primitive every durable call goes
/// through (``operation(_:withDeadline:replay:_:)``, ``Operation``). Workflow code never sees
/// it: it calls `DBOS.step`, `DBOS.receive` and so on.
final class WorkflowContext: Sendable {
    @TaskLocal static var current: WorkflowContext?
    /// The operation ID of the step whose body runs (nil in the workflow body): workflow
    /// operations inside a step run as plain code, and what the body writes (stream values)
    /// belongs to that step.
    @TaskLocal static var currentStep: StepScope?
    /// Whether a step body runs.
    static var insideStep: Bool { currentStep != nil }

    let runtime: DBOS
    let workflowID: String
    let workflowName: String
    /// This execution's ownership token: every write checks it, so an execution that lost the
    /// workflow (cancelled, recovered elsewhere) cannot write into it.
    let ownerXID: String
    /// When the workflow times out (epoch ms); children inherit it.
    let deadlineEpochMilliseconds: Int64?
    /// Whether operations the history lacks run (a live execution) or end the run (a replay check).
    let mode: ExecutionMode
    let logger: Logger
    private let state: Mutex<State>

    private struct State {
        var nextFunctionID = 1
        var recorded: [Int: StepRecord]
        /// When a write last proved this execution still owns the workflow.
        var ownershipConfirmed = ContinuousClock.now
    }

    /// How long a proof of ownership stands before a step body: a step that follows its
    /// predecessor's checkpoint closely runs at once; after a longer pause (a wait, work between
    /// steps) the workflow's row is read first, so a cancel from another process stops the
    /// next step body, not only its checkpoint. The read then costs little next to the pause.
    static let ownershipFreshness = Duration.milliseconds(100)

    init(runtime: DBOS, workflowID: String, workflowName: String, ownerXID: String, recorded: [StepRecord],
         deadlineEpochMilliseconds: Int64? = nil, mode: ExecutionMode = .live) {
        self.runtime = runtime
        self.deadlineEpochMilliseconds = deadlineEpochMilliseconds
        self.mode = mode
        self.workflowID = workflowID
        self.workflowName = workflowName
        self.ownerXID = ownerXID
        var logger = runtime.logger
        logger[metadataKey: "workflowID"] = "\(workflowID)"
        logger[metadataKey: "workflowName"] = "\(workflowName)"
        self.logger = logger
        self.state = Mutex(State(recorded: Dictionary(recorded.map { ($0.functionID, $0) }, uniquingKeysWith: { first, _ in first })))
    }

    /// The workflow an operation called now belongs to: the current one, unless the call comes
    /// from inside a step (where operations are plain code) or concerns another runtime.
    static func forOperation(on runtime: DBOS? = nil) -> WorkflowContext? {
        guard let context = current, !insideStep else { return nil }
        if let runtime, context.runtime !== runtime { return nil }
        return context
    }

    /// Throws when the workflow must not start another operation (shutdown, cancellation, timeout).
    func checkRunnable() throws {
        if runtime.isShuttingDown { throw DBOSError.shuttingDown }
        if runtime.running.isCancelled(workflowID) { throw DBOSError.workflowCancelled(workflowID: workflowID) }
        if let deadline = deadlineEpochMilliseconds, runtime.clock.nowMilliseconds > deadline {
            throw DBOSError.workflowCancelled(workflowID: workflowID)
        }
    }

    /// A write guarded by this execution's token just succeeded.
    func ownershipConfirmed() { state.withLock { $0.ownershipConfirmed = .now } }

    /// Reads the workflow's row when the last proof of ownership is older than
    /// ``ownershipFreshness``; throws when the workflow was cancelled or taken over.
    func confirmOwnershipIfStale() async throws {
        let stale = state.withLock { ContinuousClock.now - $0.ownershipConfirmed > Self.ownershipFreshness }
        guard stale else { return }
        let database = runtime.systemDatabase
        guard try await database.lostOwnership([(workflowID, ownerXID)]).isEmpty else {
            let status = try await database.workflowStatus(workflowID: workflowID)?.state
            if status == .cancelled { runtime.running.markCancelled(workflowID) }
            throw lostOwnership(status: status)
        }
        ownershipConfirmed()
    }

    /// The error for an execution that no longer owns its workflow, whose status is `status`.
    func lostOwnership(status: WorkflowState?) -> DBOSError {
        if status == .cancelled { return DBOSError.workflowCancelled(workflowID: workflowID) }
        return DBOSError.executionSuperseded(workflowID: workflowID, status: status?.rawValue)
    }

    /// Takes the next operation ID (IDs follow program order) and what an earlier execution
    /// recorded there, after checking that it is the same operation.
    fileprivate func reserveID(_ name: String) throws -> (functionID: Int, recorded: StepRecord?) {
        let (functionID, record) = state.withLock { state in
            defer { state.nextFunctionID += 1 }
            return (state.nextFunctionID, state.recorded[state.nextFunctionID])
        }
        if let record, record.functionName != name {
            if mode == .replayOnly { throw HistoryEnded(functionID: functionID, recorded: record.functionName, requested: name) }
            throw DBOSError.unexpectedStep(workflowID: workflowID, functionID: functionID, recorded: record.functionName, requested: name)
        }
        return (functionID, record)
    }

    /// The next operation ID and what an earlier execution recorded there, without taking it
    /// (a patch looks before it decides whether the slot is its own).
    func peekNextOperation() -> (functionID: Int, recorded: StepRecord?) {
        state.withLock { ($0.nextFunctionID, $0.recorded[$0.nextFunctionID]) }
    }

    /// The operation IDs taken so far (the last one is the highest).
    var operationsTaken: Int { state.withLock { $0.nextFunctionID - 1 } }

    /// Takes operation ID `functionID`, which ``peekNextOperation()`` returned.
    func takeOperation(_ functionID: Int) {
        state.withLock { state in
            if state.nextFunctionID == functionID { state.nextFunctionID += 1 }
        }
    }

    // MARK: The operation primitive

    /// Reserves the next operation: checks that the workflow may continue, takes the next ID in
    /// program order (and, `withDeadline`, the ID after it for the operation's durable timeout),
    /// and finds what an earlier execution recorded there.
    func reserve<Output>(_ name: String, withDeadline: Bool = false, type: OperationType = .step,
                         replay: @escaping @Sendable (StepRecord) throws -> Output) throws -> Operation<Output> {
        try checkRunnable()
        let (functionID, recorded) = try reserveID(name)
        let deadline = try withDeadline
            ? Operation<Double>(context: self, reserved: reserveID(Operation<Double>.sleepName), name: Operation<Double>.sleepName,
                                replay: { try self.decoded($0) })
            : nil
        return Operation(context: self, reserved: (functionID, recorded), name: name, type: type, replay: replay, deadline: deadline)
    }

    /// Replays an operation an earlier execution recorded, or runs it for the first time (in a
    /// replay check, which writes nothing, an operation the history lacks ends the run).
    func perform<Output>(_ operation: Operation<Output>, _ run: (Operation<Output>) async throws -> Output) async throws -> Output {
        if let record = operation.recorded { return try operation.replay(record) }
        try requireLive(operation.functionID, operation.name)
        let observer = runtime.operationObserver   // DBOSTesting's; nil in production
        let output: Output
        do {
            output = try await withOperationSpan(operation.name, functionID: operation.functionID, type: operation.type.rawValue) {
                try await run(operation)
            }
        } catch {
            // A failed step records its error and finishes all the same; an operation stopped
            // by shutdown, cancellation or a lost workflow did not finish.
            if let observer, !Self.stopsTheExecution(error) { try await observer(finished(operation)) }
            throw error
        }
        if let observer { try await observer(finished(operation)) }
        return output
    }

    private func finished<Output>(_ operation: Operation<Output>) -> OperationEvent {
        OperationEvent(workflowID: workflowID, functionID: operation.functionID, name: operation.name)
    }

    private static func stopsTheExecution(_ error: any Error) -> Bool {
        if error is CancellationError { return true }
        guard let error = error as? DBOSError else { return false }
        return [.shuttingDown, .workflowCancelled, .executionSuperseded, .databaseError].contains(error.code)
    }

    /// Throws ``HistoryEnded`` in a replay check, where nothing may run or be written.
    func requireLive(_ functionID: Int, _ name: String) throws {
        if mode == .replayOnly { throw HistoryEnded(functionID: functionID, recorded: nil, requested: name) }
    }

    /// The durable-operation protocol, once: reserve the next operation (ownership,
    /// cancellation and timeout checked), then replay its recorded outcome or run it. `run`
    /// records through ``Operation/resolve(_:ours:)``, which turns an earlier execution's record
    /// into a replay and a lost workflow into the right error.
    func operation<Output>(_ name: String, withDeadline: Bool = false, type: OperationType = .step,
                           replay: @escaping @Sendable (StepRecord) throws -> Output,
                           _ run: (Operation<Output>) async throws -> Output) async throws -> Output {
        try await perform(reserve(name, withDeadline: withDeadline, type: type, replay: replay), run)
    }

    /// ``operation(_:withDeadline:replay:_:)`` for an operation whose recorded output is an `Output`.
    func operation<Output: Decodable & Sendable>(_ name: String, withDeadline: Bool = false,
                                      _ run: (Operation<Output>) async throws -> Output) async throws -> Output {
        try await operation(name, withDeadline: withDeadline, replay: { try self.decoded($0) }, run)
    }

    /// Reads a recorded outcome back: the output decoded as `T`, or the recorded error thrown.
    func decoded<T: Decodable>(_ record: StepRecord, as type: T.Type = T.self) throws -> T {
        try rethrowRecordedError(of: record)
        let what = "output of operation \(record.functionID) ('\(record.functionName)') of workflow '\(record.workflowID)'"
        return try PortableJSON.decode(T.self, from: record.output ?? "null", serialization: record.serialization, what: what)
    }

    /// Throws the error an operation recorded, if it recorded one: a runtime error (a child's
    /// taken ID, exhausted step retries, an unreadable message) as the same ``DBOSError`` the
    /// first execution threw, so code that catches it behaves the same on replay; an error of
    /// a registered type as that type; any other as ``DBOSError/Code/workflowFailed``.
    func rethrowRecordedError(of record: StepRecord) throws {
        guard let error = record.error else { return }
        let what = "error of operation \(record.functionID) ('\(record.functionName)') of workflow '\(record.workflowID)'"
        let failure = try PortableJSON.decode(WorkflowFailure.self, from: error, serialization: record.serialization, what: what)
        throw DBOSError(recorded: failure) ?? runtime.errors.error(from: failure)
    }
}

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
    /// What the operation is, for its span.
    let type: OperationType
    /// The record an earlier execution wrote at this ID, if any.
    let recorded: StepRecord?
    let replay: @Sendable (StepRecord) throws -> Output
    /// The durable timeout of a waiting operation (receive, event), reserved right after it.
    let deadline: Operation<Double>?

    init(context: WorkflowContext, reserved: (functionID: Int, recorded: StepRecord?), name: String, type: OperationType = .step,
         replay: @escaping @Sendable (StepRecord) throws -> Output, deadline: Operation<Double>? = nil) {
        self.context = context
        self.type = type
        self.functionID = reserved.functionID
        self.recorded = reserved.recorded
        self.name = name
        self.replay = replay
        self.deadline = deadline
    }

    var workflowID: String { context.workflowID }
    var ownerXID: String { context.ownerXID }
    var systemDatabase: any SystemDatabase { context.runtime.systemDatabase }

    /// This operation's record, to be written: started at `startedAt` (default now) and
    /// completed now, unless it is `pending` (a wait whose outcome the database fills in).
    func record(output: String? = nil, error: String? = nil, childWorkflowID: String? = nil, startedAt: Date? = nil,
                pending: Bool = false, serialization: String? = PortableJSON.formatName) -> StepRecord {
        let now = context.runtime.clock.now
        return StepRecord(workflowID: workflowID, functionID: functionID, functionName: name, output: output, error: error,
                          childWorkflowID: childWorkflowID, startedAt: startedAt ?? now, completedAt: pending ? nil : now,
                          serialization: serialization)
    }

    /// What counts after a write of this operation: `ours` of the written value; an earlier
    /// (or concurrent) execution's record at this ID, replayed; or, when the workflow is no
    /// longer this execution's, ``DBOSError/Code/workflowCancelled`` or
    /// ``DBOSError/Code/executionSuperseded``.
    func resolve<Value>(_ write: OperationWrite<Value>, ours: (Value) throws -> Output) throws -> Output {
        switch write {
        case .recorded(let value):
            context.ownershipConfirmed()
            return try ours(value)
        case .alreadyRecorded(let existing):
            guard existing.functionName == name else {
                throw DBOSError.unexpectedStep(workflowID: workflowID, functionID: functionID,
                                               recorded: existing.functionName, requested: name)
            }
            return try replay(existing)
        case .notOwner(let status):
            throw context.lostOwnership(status: status)
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
    /// With `spansTheWait` (a `DBOS.sleep`, which always waits it out), the row's completion time
    /// is the deadline, so its duration is the sleep, as DBOS records it; a timeout that may end
    /// early (receive, event) records an instant.
    func durableDeadline(after timeout: Duration, spansTheWait: Bool = false) async throws -> Double {
        try await context.perform(self) { operation in
            let now = context.runtime.clock.now
            let deadline = now.timeIntervalSince1970 + timeout.kept.seconds
            var record = operation.record(output: try PortableJSON.encode(deadline), startedAt: now)
            if spansTheWait { record.completedAt = Date(timeIntervalSince1970: deadline) }
            return try await operation.commit(record) { deadline }
        }
    }
}

extension Operation where Output: Codable & Sendable {
    /// Runs a step body (with its retries) for the first time and records its output or
    /// error. When another execution recorded this step first, its outcome is the one that counts.
    func runStep(retries: RetryPolicy, timeout: Duration? = nil, _ body: @Sendable () async throws -> Output) async throws -> Output {
        let runtime = context.runtime
        try await context.confirmOwnershipIfStale()
        let started = runtime.clock.now, clock = ContinuousClock.now
        let value: Output
        do {
            value = try await WorkflowContext.$currentStep.withValue(StepScope(functionID: functionID, name: name)) {
                try await retries.run(step: name, pause: { try await runtime.service.pause(for: $0) },
                                      onRetry: { attempt, error, delay in self.retried(attempt: attempt, error: error, delay: delay) }) {
                    try await StepDeadline.run(step: name, timeout: timeout, clock: runtime.clock, body)
                }
            }
            runtime.metrics.stepFinished(name, succeeded: true, after: .now - clock)
        } catch {
            // A body stopped by shutdown or cancellation did not fail: nothing is recorded, and
            // the step runs again when the workflow is recovered.
            if DBOSError.Code.shuttingDown ~= error || runtime.isShuttingDown || Task.isCancelled {
                throw DBOSError.shuttingDown
            }
            runtime.metrics.stepFinished(name, succeeded: false, after: .now - clock)
            let failure = try PortableJSON.encode(WorkflowFailure(error))
            return try await commit(record(error: failure, startedAt: started)) { throw error }
        }
        return try await commit(record(output: try PortableJSON.encode(value), startedAt: started)) { value }
    }

    /// A failed attempt of this step's body is retried after `delay`: counted, logged, and
    /// added to the step's span as an event (as DBOS does).
    private func retried(attempt: Int, error: any Error, delay: Duration) {
        context.runtime.metrics.stepRetried(name)
        context.logger.warning("step failed; retrying", metadata: [
            "step": "\(name)", "attempt": "\(attempt)", "retryIn": "\(delay)", "error": "\(error)"])
        if let span = InstrumentationSystem.tracer.activeSpan(identifiedBy: ServiceContext.current ?? .topLevel) {
            let (seconds, attoseconds) = delay.components
            span.addEvent(SpanEvent(name: "Step attempt \(attempt) failed", attributes: [
                "error": "\(error)", "retryIntervalSeconds": .double(Double(seconds) + Double(attoseconds) / 1e18)]))
        }
    }
}

/// What an operation is, as its span says.
enum OperationType: String, Sendable {
    /// A step, or a runtime operation recorded like one (send, sleep, a wait).
    case step
    /// The start (or enqueue) of a child workflow.
    case childWorkflow
}

/// The step whose body runs in this task.
struct StepScope: Sendable {
    let functionID: Int
    let name: String
}
