/// Every error the DBOS runtime itself raises. Each case names what was wrong.
public enum DBOSError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The system database URL could not be parsed or uses an unsupported scheme.
    case invalidDatabaseURL(url: String, reason: String)
    /// The system database could not be reached or opened.
    case databaseUnreachable(url: String, reason: String)
    /// The system database has a schema version this library cannot upgrade from.
    case unsupportedSchemaVersion(found: Int, reason: String)
    /// A database operation failed.
    case databaseError(operation: String, reason: String)
    /// A workflow name is not registered with this runtime.
    case workflowNotRegistered(name: String)
    /// Registration happened after `launch()`, or a name was registered twice.
    case registrationError(String)
    /// The runtime was used before `launch()` or after `shutdown()`.
    case notLaunched(operation: String)
    /// The same workflow ID was already used for a workflow with another name.
    case conflictingWorkflow(workflowID: String, existingName: String, requestedName: String)
    /// A replayed workflow asked for a different operation than the one recorded at this ID.
    /// The workflow code is not deterministic outside its steps.
    case unexpectedStep(workflowID: String, functionID: Int, recorded: String, requested: String)
    /// A workflow or step failed; its stored error is carried here (name, message, code, data).
    case workflowFailed(WorkflowFailure)
    /// A step failed on every one of its attempts; `lastError` is the final attempt's error.
    case maxStepRetriesExceeded(step: String, attempts: Int, lastError: WorkflowFailure)
    /// A stored payload is in a serialization format this library cannot decode.
    case unsupportedSerialization(format: String, what: String)
    /// A stored payload could not be decoded as the requested Swift type.
    case decodingFailed(what: String, type: String, reason: String)
    /// A value could not be encoded as portable JSON.
    case encodingFailed(type: String, reason: String)
    /// No workflow with this ID exists.
    case nonexistentWorkflow(workflowID: String)
    /// The workflow was cancelled.
    case workflowCancelled(workflowID: String)
    /// The workflow exceeded its recovery attempts and was moved to MAX_RECOVERY_ATTEMPTS_EXCEEDED.
    case maxRecoveryAttemptsExceeded(workflowID: String, attempts: Int)
    /// A workflow-only operation was called outside a workflow.
    case outsideWorkflow(operation: String)
    /// Another execution took over this workflow (it was resumed, recovered elsewhere, or finished).
    case executionSuperseded(workflowID: String, status: String?)
    /// The workflow's status does not allow the operation.
    case invalidWorkflowState(workflowID: String, status: String, operation: String)
    /// An argument is out of range.
    case invalidArgument(String)
    /// A workflow with this deduplication ID is already active on the queue.
    case queueDeduplicated(queue: String, deduplicationID: String)
    /// The runtime is shutting down; the workflow stays PENDING and is recovered at the next launch.
    case shuttingDown

    public var description: String {
        switch self {
        case .invalidDatabaseURL(let url, let reason):
            return "invalid system database URL '\(url)': \(reason)"
        case .databaseUnreachable(let url, let reason):
            return "cannot reach system database \(url): \(reason)"
        case .unsupportedSchemaVersion(let found, let reason):
            return "system database schema version \(found) is not supported: \(reason)"
        case .databaseError(let operation, let reason):
            return "system database error during \(operation): \(reason)"
        case .workflowNotRegistered(let name):
            return "workflow '\(name)' is not registered with this DBOS runtime"
        case .registrationError(let message):
            return "registration error: \(message)"
        case .notLaunched(let operation):
            return "\(operation) needs a launched DBOS runtime: call launch() first"
        case .conflictingWorkflow(let id, let existing, let requested):
            return "workflow ID '\(id)' already belongs to workflow '\(existing)', cannot start it as '\(requested)'"
        case .unexpectedStep(let id, let functionID, let recorded, let requested):
            return "workflow '\(id)' is not deterministic: operation \(functionID) was recorded as '\(recorded)' but the code now calls '\(requested)'"
        case .workflowFailed(let failure):
            return "workflow failed with \(failure.name): \(failure.message)"
        case .maxStepRetriesExceeded(let step, let attempts, let last):
            return "step '\(step)' failed after \(attempts) attempts; last error \(last.name): \(last.message)"
        case .unsupportedSerialization(let format, let what):
            return "cannot decode \(what): it is stored in serialization format '\(format)', which this library cannot read (it reads portable_json)"
        case .decodingFailed(let what, let type, let reason):
            return "cannot decode \(what) as \(type): \(reason)"
        case .encodingFailed(let type, let reason):
            return "cannot encode \(type) as portable JSON: \(reason)"
        case .nonexistentWorkflow(let id):
            return "workflow '\(id)' does not exist"
        case .workflowCancelled(let id):
            return "workflow '\(id)' was cancelled"
        case .maxRecoveryAttemptsExceeded(let id, let attempts):
            return "workflow '\(id)' exceeded its maximum recovery attempts (\(attempts)) and is now MAX_RECOVERY_ATTEMPTS_EXCEEDED"
        case .outsideWorkflow(let operation):
            return "\(operation) can only be called inside a workflow"
        case .executionSuperseded(let id, let status):
            return "workflow '\(id)' is no longer owned by this execution (status \(status ?? "missing")): another execution took it over"
        case .invalidWorkflowState(let id, let status, let operation):
            return "cannot \(operation) workflow '\(id)': its status is \(status)"
        case .invalidArgument(let message):
            return "invalid argument: \(message)"
        case .queueDeduplicated(let queue, let id):
            return "queue '\(queue)' already has an active workflow with deduplication ID '\(id)'"
        case .shuttingDown:
            return "the DBOS runtime is shutting down"
        }
    }
}
