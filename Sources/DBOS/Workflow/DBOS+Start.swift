import Foundation
import Logging

extension DBOS {
    /// Starts a workflow and returns its handle without waiting for it.
    ///
    /// The workflow ID is the idempotency key: starting an ID that already exists returns a
    /// handle to that workflow (joining it if it runs here) without executing anything; the
    /// same ID with another workflow name throws ``DBOSError/conflictingWorkflow(workflowID:existingName:requestedName:)``.
    /// Called inside a workflow, this starts a child workflow with ID `<parent ID>-<operation ID>`.
    public func start<each Input: Codable & Sendable, Output: Codable & Sendable>(
        _ workflow: Workflow<repeat each Input, Output>, _ input: repeat each Input, options: WorkflowOptions = .init()
    ) async throws -> WorkflowHandle<Output> {
        let inputs = try PortableJSON.encodeArguments(repeat each input)
        let id = try await startWorkflow(name: workflow.name, inputs: inputs, options: options)
        return WorkflowHandle(workflowID: id, runtime: self)
    }

    /// Runs a workflow and waits for its output. See ``start(_:_:options:)``.
    public func run<each Input: Codable & Sendable, Output: Codable & Sendable>(
        _ workflow: Workflow<repeat each Input, Output>, _ input: repeat each Input, options: WorkflowOptions = .init()
    ) async throws -> Output {
        try await start(workflow, repeat each input, options: options).result()
    }

    /// A handle to an existing workflow, by ID, whose output is read as `Output`.
    public func retrieve<Output: Codable & Sendable>(_ workflowID: String, as type: Output.Type = Output.self) async throws -> WorkflowHandle<Output> {
        guard try await systemDatabase.workflowStatus(workflowID: workflowID) != nil else {
            throw DBOSError.nonexistentWorkflow(workflowID: workflowID)
        }
        return WorkflowHandle(workflowID: workflowID, runtime: self)
    }

    /// Starts a registered workflow by name with already-encoded inputs. Returns its ID.
    func startWorkflow(name: String, inputs: String, options: WorkflowOptions) async throws -> String {
        try requireLaunched("starting workflow '\(name)'")
        guard let registration = registration(named: name) else { throw DBOSError.workflowNotRegistered(name: name) }
        let parent = WorkflowContext.current.flatMap { $0.runtime === self && !WorkflowContext.insideStep ? $0 : nil }
        let ownerXID = UUID().uuidString.lowercased()
        var insert = WorkflowInsert(
            workflowID: options.workflowID ?? UUID().uuidString.lowercased(), name: name, executorID: executorID,
            applicationVersion: applicationVersion, applicationName: nil, ownerXID: ownerXID, inputs: inputs,
            createdAt: Clock.nowMillis())
        if let timeout = options.timeout {
            insert.timeoutMilliseconds = timeout.milliseconds
            insert.deadlineEpochMilliseconds = insert.createdAt + timeout.milliseconds
        }
        let result: WorkflowInsertResult
        if let parent {
            try parent.checkRunnable()
            let functionID = parent.nextFunctionID()
            if let record = try parent.recorded(functionID, expecting: name), let child = record.childWorkflowID {
                return child
            }
            insert.workflowID = options.workflowID ?? "\(parent.workflowID)-\(functionID)"
            insert.parentWorkflowID = parent.workflowID
            if options.timeout == nil { insert.deadlineEpochMilliseconds = parent.deadlineEpochMilliseconds }
            let now = Date()
            result = try await systemDatabase.insertChildWorkflow(insert, parentStep: StepRecord(
                workflowID: parent.workflowID, functionID: functionID, functionName: name,
                childWorkflowID: insert.workflowID, startedAt: now, completedAt: now))
        } else {
            result = try await systemDatabase.insertWorkflow(insert)
        }
        guard result.name == name else {
            throw DBOSError.conflictingWorkflow(workflowID: insert.workflowID, existingName: result.name, requestedName: name)
        }
        if result.created {
            execute(registration, workflowID: insert.workflowID, inputs: inputs, ownerXID: ownerXID, recorded: [],
                    deadlineEpochMilliseconds: insert.deadlineEpochMilliseconds)
        }
        return insert.workflowID
    }

    /// Runs a workflow body in a task of its own and records its outcome.
    func execute(_ registration: WorkflowRegistration, workflowID: String, inputs: String, ownerXID: String,
                 recorded: [StepRecord], queueName: String? = nil, partitionKey: String? = nil,
                 deadlineEpochMilliseconds: Int64? = nil) {
        guard running.begin(workflowID, queueName: queueName, partitionKey: partitionKey, ownerXID: ownerXID) else {
            // An older execution of this workflow still runs here (for example it was cancelled and
            // then resumed while blocked): it stops at its next operation, then this one starts.
            Task {
                _ = await self.running.wait(for: workflowID)
                self.execute(registration, workflowID: workflowID, inputs: inputs, ownerXID: ownerXID, recorded: recorded,
                             queueName: queueName, partitionKey: partitionKey, deadlineEpochMilliseconds: deadlineEpochMilliseconds)
            }
            return
        }
        let context = WorkflowContext(runtime: self, workflowID: workflowID, workflowName: registration.name,
                                      ownerXID: ownerXID, recorded: recorded, deadlineEpochMilliseconds: deadlineEpochMilliseconds)
        let task = Task {
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
        running.attach(workflowID, task: task)
    }

    /// Writes a finished workflow's status and output or error. Returns nil when nothing was
    /// written (shutdown, cancellation or another owner): waiters then read the database.
    private func recordOutcome(_ result: Result<String, any Error>, context: WorkflowContext) async -> WorkflowOutcome? {
        let outcome: WorkflowOutcome
        switch result {
        case .success(let output):
            outcome = WorkflowOutcome(status: WorkflowState.success.rawValue, output: output, serialization: PortableJSON.formatName)
        case .failure(let error):
            switch error as? DBOSError {
            case .shuttingDown?, .workflowCancelled?, .executionSuperseded?:
                context.logger.info("workflow stopped without completing", metadata: ["reason": "\(error)"])
                return nil
            default:
                break
            }
            guard let encoded = try? PortableJSON.encode(WorkflowFailure(error)) else { return nil }
            outcome = WorkflowOutcome(status: WorkflowState.error.rawValue, error: encoded, serialization: PortableJSON.formatName)
        }
        do {
            let written = try await systemDatabase.completeWorkflow(
                workflowID: context.workflowID, ownerXID: context.ownerXID, status: WorkflowState(rawValue: outcome.status)!,
                output: outcome.output, error: outcome.error)
            return written ? outcome : nil
        } catch {
            context.logger.error("could not record workflow outcome; it stays PENDING for recovery", metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// Waits for a workflow to reach a terminal status: resumed directly when it runs in this
    /// process, otherwise by polling the database with a short, growing interval.
    func awaitOutcome(_ workflowID: String) async throws -> WorkflowOutcome {
        if let outcome = await running.wait(for: workflowID) { return outcome }
        var interval = Duration.milliseconds(5)
        while true {
            guard let status = try await systemDatabase.workflowStatus(workflowID: workflowID) else {
                throw DBOSError.nonexistentWorkflow(workflowID: workflowID)
            }
            if let state = status.state, !state.isActive {
                return WorkflowOutcome(status: status.status, output: status.output, error: status.error,
                                       serialization: status.serialization, recoveryAttempts: status.recoveryAttempts)
            }
            if running.isRunning(workflowID), let outcome = await running.wait(for: workflowID) { return outcome }
            try await pause(for: interval)
            interval = min(interval * 2, .milliseconds(200))
        }
    }

    /// Turns a terminal outcome into the output or the error the caller sees.
    func decodeOutcome<Output: Decodable>(_ outcome: WorkflowOutcome, workflowID: String, as type: Output.Type) throws -> Output {
        try outcome.decode(workflowID: workflowID, as: type, errors: errors)
    }

    /// The error text to record for a non-successful outcome (for `DBOS.getResult`).
    func storedError(of outcome: WorkflowOutcome, workflowID: String) throws -> String? {
        switch WorkflowState(rawValue: outcome.status) {
        case .error?: return outcome.error
        case .cancelled?: return try PortableJSON.encode(WorkflowFailure(DBOSError.workflowCancelled(workflowID: workflowID)))
        default:
            return try PortableJSON.encode(WorkflowFailure(DBOSError.maxRecoveryAttemptsExceeded(
                workflowID: workflowID, attempts: max(0, (outcome.recoveryAttempts ?? 1) - 1))))
        }
    }
}

extension WorkflowOutcome {
    /// The output as `Output`, or the error the caller sees: the stored error (as its registered
    /// Swift type when there is one), cancellation, or exhausted recovery.
    func decode<Output: Decodable>(workflowID: String, as type: Output.Type, errors: ErrorRegistry) throws -> Output {
        switch WorkflowState(rawValue: status) {
        case .success?:
            let what = "output of workflow '\(workflowID)'"
            try Payload.requirePortable(serialization, what: what)
            return try PortableJSON.decode(Output.self, from: output ?? "null", what: what)
        case .cancelled?:
            throw DBOSError.workflowCancelled(workflowID: workflowID)
        case .maxRecoveryAttemptsExceeded?:
            throw DBOSError.maxRecoveryAttemptsExceeded(workflowID: workflowID, attempts: max(0, (recoveryAttempts ?? 1) - 1))
        default:
            let failure = try Payload.decodeFailure(error ?? "{}", serialization: serialization,
                                                    what: "error of workflow '\(workflowID)'")
            throw errors.error(from: failure)
        }
    }
}
