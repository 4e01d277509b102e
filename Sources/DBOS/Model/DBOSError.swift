/// Every error the DBOS runtime itself raises.
///
/// A struct with an open set of ``Code``s (as postgres-nio's `PSQLError`), so a new kind of
/// error is not a breaking change: switch on ``code`` with a `default`, or match a code
/// directly in a `catch`:
///
/// ```swift
/// do { try await handle.result() }
/// catch DBOSError.Code.workflowCancelled { ... }
/// catch let error as DBOSError where error.code == .workflowFailed { print(error.failure!) }
/// ```
public struct DBOSError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of error this is.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// The system database URL could not be parsed or uses an unsupported scheme.
        public static let invalidDatabaseURL = Code("invalidDatabaseURL")
        /// The system database could not be reached or opened.
        public static let databaseUnreachable = Code("databaseUnreachable")
        /// The system database has a schema version this library cannot upgrade from.
        public static let unsupportedSchemaVersion = Code("unsupportedSchemaVersion")
        /// A database operation failed.
        public static let databaseError = Code("databaseError")
        /// A row of the system database lacks a column or holds a value of the wrong type.
        public static let malformedRow = Code("malformedRow")
        /// A workflow name is not registered with this runtime.
        public static let workflowNotRegistered = Code("workflowNotRegistered")
        /// Registration happened after launch, or a name was registered twice.
        public static let registrationError = Code("registrationError")
        /// The runtime was used before it was launched or after it shut down.
        public static let notLaunched = Code("notLaunched")
        /// The same workflow ID was already used for a workflow with another name.
        public static let conflictingWorkflow = Code("conflictingWorkflow")
        /// A replayed workflow asked for a different operation than the one recorded at this ID:
        /// the workflow code is not deterministic outside its steps.
        public static let unexpectedStep = Code("unexpectedStep")
        /// A workflow or step failed; ``DBOSError/failure`` carries its stored error.
        public static let workflowFailed = Code("workflowFailed")
        /// A step failed on every attempt; ``DBOSError/failure`` is the last attempt's error.
        public static let maxStepRetriesExceeded = Code("maxStepRetriesExceeded")
        /// A step attempt ran past its timeout and was cancelled (see ``DBOS/step(_:retries:timeout:_:)``).
        public static let stepTimedOut = Code("stepTimedOut")
        /// A stored payload is in a serialization format this library cannot decode.
        public static let unsupportedSerialization = Code("unsupportedSerialization")
        /// A stored payload could not be decoded as the requested Swift type.
        public static let decodingFailed = Code("decodingFailed")
        /// A value could not be encoded as portable JSON.
        public static let encodingFailed = Code("encodingFailed")
        /// No workflow with this ID exists.
        public static let nonexistentWorkflow = Code("nonexistentWorkflow")
        /// The workflow was cancelled (or timed out).
        public static let workflowCancelled = Code("workflowCancelled")
        /// The workflow exceeded its recovery attempts and is now MAX_RECOVERY_ATTEMPTS_EXCEEDED.
        public static let maxRecoveryAttemptsExceeded = Code("maxRecoveryAttemptsExceeded")
        /// A workflow-only operation was called outside a workflow.
        public static let outsideWorkflow = Code("outsideWorkflow")
        /// Another execution took this workflow over (resumed, recovered elsewhere, or finished).
        public static let executionSuperseded = Code("executionSuperseded")
        /// The workflow's status does not allow the operation.
        public static let invalidWorkflowState = Code("invalidWorkflowState")
        /// An argument is out of range.
        public static let invalidArgument = Code("invalidArgument")
        /// A workflow with this deduplication ID is already active on the queue.
        public static let queueDeduplicated = Code("queueDeduplicated")
        /// The runtime is shutting down; the workflow stays PENDING and is recovered later.
        public static let shuttingDown = Code("shuttingDown")

        /// The code's name, as stored in the `code` of a recorded `DBOSError`.
        public var description: String { name }
    }

    /// What kind of error this is.
    public var code: Code
    /// What went wrong, in one sentence that names the workflow, step or value concerned.
    public var message: String
    /// The workflow concerned, when there is one.
    public var workflowID: String?
    /// The stored error of a failed workflow or step (``Code/workflowFailed``; for
    /// ``Code/maxStepRetriesExceeded``, the last attempt's).
    public var failure: WorkflowFailure?
    /// For ``Code/maxStepRetriesExceeded``: every attempt's error, the first attempt's first (as
    /// DBOS's `DBOSMaxStepRetriesExceeded.errors`). Empty for other errors. Kept in the recorded
    /// error's `data`, so a replayed step throws them too.
    public var attemptFailures: [WorkflowFailure] = []
    /// How the database classified a failed statement (unique or foreign-key violation, ...).
    var databaseFailure: DatabaseFailure?

    init(_ code: Code, _ message: String, workflowID: String? = nil, failure: WorkflowFailure? = nil,
         databaseFailure: DatabaseFailure? = nil) {
        self.code = code
        self.message = message
        self.workflowID = workflowID
        self.failure = failure
        self.databaseFailure = databaseFailure
    }

    public var description: String { message }
}

extension DBOSError {
    /// The runtime's error a recorded operation failed with, read back for a replay (its code
    /// and message; nil for any other stored error).
    init?(recorded failure: WorkflowFailure) {
        guard failure.name == "DBOSError", case .string(let code)? = failure.code else { return nil }
        self.init(Code(recordedName: code), failure.message)
        if let details = try? failure.data?.decode(as: RecordedDetails.self, what: "error details") {
            attemptFailures = details.attempts ?? []
            self.failure = attemptFailures.last
        }
    }

    /// What a recorded ``DBOSError`` keeps in its `data` besides code and message.
    struct RecordedDetails: Codable {
        /// ``attemptFailures``, when there are any.
        var attempts: [WorkflowFailure]?
    }

    /// ``RecordedDetails`` of this error, for its stored form (nil when there is nothing to keep).
    var recordedDetails: JSONValue? {
        guard !attemptFailures.isEmpty else { return nil }
        return try? JSONValue(encoding: RecordedDetails(attempts: attemptFailures))
    }
}

extension DBOSError.Code {
    fileprivate init(recordedName: String) { self.init(recordedName) }

    /// Matches an error against a code in a `catch` or `case` pattern.
    public static func ~= (code: DBOSError.Code, error: any Error) -> Bool {
        (error as? DBOSError)?.code == code
    }
}

/// How a failed SQL statement was classified, the same way on both backends.
enum DatabaseFailure: Sendable, Equatable {
    case uniqueViolation
    case foreignKeyViolation
    /// A transaction lost a conflict (PostgreSQL 40001, 40P01): run it again.
    case serializationFailure
    /// The connection or the server went away, or cannot be had now (refused, reset, shutting
    /// down or starting up, too many connections): try again once it is back.
    case unavailable
    /// A request got no answer in time and was abandoned (see `RetryingDriver`): try again.
    /// Unlike ``unavailable``, not itself a sign that connections were lost.
    case noAnswer
    /// Another connection holds the lock past the busy timeout (SQLite BUSY/LOCKED).
    case busy
    /// A row lock asked for with NOWAIT is held by another transaction (PostgreSQL 55P03): the
    /// caller backs off and tries later (a queue claim that meets a peer mid-claim).
    case lockNotAvailable
    case other

    /// Whether the same statement may succeed when tried again later.
    var isTransient: Bool { self == .serializationFailure || self == .unavailable || self == .noAnswer || self == .busy }
}

extension Error {
    /// Whether this error is a unique-key violation on either backend.
    var isUniqueViolation: Bool { (self as? DBOSError)?.databaseFailure == .uniqueViolation }
    /// Whether a row lock asked for with NOWAIT was held by another transaction.
    var isLockNotAvailable: Bool { (self as? DBOSError)?.databaseFailure == .lockNotAvailable }
    /// Whether this error is a foreign-key violation on either backend.
    var isForeignKeyViolation: Bool { (self as? DBOSError)?.databaseFailure == .foreignKeyViolation }
    /// Whether this database error may go away by itself (an outage, a lock, a lost conflict).
    var isTransientDatabaseFailure: Bool { (self as? DBOSError)?.databaseFailure?.isTransient ?? false }
}

// The errors the library raises, one constructor each, so every message is written once.
extension DBOSError {
    static func invalidDatabaseURL(url: String, reason: String) -> DBOSError {
        DBOSError(.invalidDatabaseURL, "invalid system database URL '\(url)': \(reason)")
    }
    static func databaseUnreachable(url: String, reason: String) -> DBOSError {
        DBOSError(.databaseUnreachable, "cannot reach system database \(url): \(reason)")
    }
    static func unsupportedSchemaVersion(found: Int, reason: String) -> DBOSError {
        DBOSError(.unsupportedSchemaVersion, "system database schema version \(found) is not supported: \(reason)")
    }
    static func databaseError(operation: String, reason: String, failure: DatabaseFailure = .other) -> DBOSError {
        DBOSError(.databaseError, "system database error during \(operation): \(reason)", databaseFailure: failure)
    }
    static func malformedRow(table: String, column: String, reason: String) -> DBOSError {
        DBOSError(.malformedRow, "malformed row in \(table): column '\(column)' \(reason)")
    }
    static func workflowNotRegistered(name: String) -> DBOSError {
        DBOSError(.workflowNotRegistered, "workflow '\(name)' is not registered with this DBOS runtime")
    }
    static func registrationError(_ message: String) -> DBOSError {
        DBOSError(.registrationError, "registration error: \(message)")
    }
    static func notLaunched(operation: String) -> DBOSError {
        DBOSError(.notLaunched, "\(operation) needs a launched DBOS runtime: call launch() first (or run it as a service)")
    }
    static func conflictingWorkflow(workflowID: String, existingName: String, requestedName: String) -> DBOSError {
        DBOSError(.conflictingWorkflow,
                  "workflow ID '\(workflowID)' already belongs to workflow '\(existingName)', cannot start it as '\(requestedName)'",
                  workflowID: workflowID)
    }
    static func unexpectedStep(workflowID: String, functionID: Int, recorded: String, requested: String) -> DBOSError {
        DBOSError(.unexpectedStep,
                  "workflow '\(workflowID)' is not deterministic: operation \(functionID) was recorded as '\(recorded)' but the code now calls '\(requested)'",
                  workflowID: workflowID)
    }
    static func workflowFailed(_ failure: WorkflowFailure) -> DBOSError {
        DBOSError(.workflowFailed, "workflow failed with \(failure.name): \(failure.message)", failure: failure)
    }
    static func maxStepRetriesExceeded(step: String, errors: [WorkflowFailure]) -> DBOSError {
        let last = errors.last ?? WorkflowFailure(name: "Error", message: "unknown")
        var error = DBOSError(.maxStepRetriesExceeded,
                              "step '\(step)' failed after \(errors.count) attempts; last error \(last.name): \(last.message)",
                              failure: last)
        error.attemptFailures = errors
        return error
    }
    static func unsupportedSerialization(format: String, what: String) -> DBOSError {
        DBOSError(.unsupportedSerialization,
                  "cannot decode \(what): it is stored in serialization format '\(format)', which this library cannot read (it reads portable_json)")
    }
    static func decodingFailed(what: String, type: String, reason: String) -> DBOSError {
        DBOSError(.decodingFailed, "cannot decode \(what) as \(type): \(reason)")
    }
    static func encodingFailed(type: String, reason: String) -> DBOSError {
        DBOSError(.encodingFailed, "cannot encode \(type) as portable JSON: \(reason)")
    }
    static func nonexistentWorkflow(workflowID: String) -> DBOSError {
        DBOSError(.nonexistentWorkflow, "workflow '\(workflowID)' does not exist", workflowID: workflowID)
    }
    static func workflowCancelled(workflowID: String) -> DBOSError {
        DBOSError(.workflowCancelled, "workflow '\(workflowID)' was cancelled", workflowID: workflowID)
    }
    static func maxRecoveryAttemptsExceeded(workflowID: String, attempts: Int) -> DBOSError {
        DBOSError(.maxRecoveryAttemptsExceeded,
                  "workflow '\(workflowID)' exceeded its maximum recovery attempts (\(attempts)) and is now MAX_RECOVERY_ATTEMPTS_EXCEEDED",
                  workflowID: workflowID)
    }
    static func outsideWorkflow(operation: String) -> DBOSError {
        DBOSError(.outsideWorkflow, "\(operation) can only be called inside a workflow")
    }
    static func executionSuperseded(workflowID: String, status: String?) -> DBOSError {
        DBOSError(.executionSuperseded,
                  "workflow '\(workflowID)' is no longer owned by this execution (status \(status ?? "missing")): another execution took it over",
                  workflowID: workflowID)
    }
    static func invalidWorkflowState(workflowID: String, status: String, operation: String) -> DBOSError {
        DBOSError(.invalidWorkflowState, "cannot \(operation) workflow '\(workflowID)': its status is \(status)", workflowID: workflowID)
    }
    static func invalidArgument(_ message: String) -> DBOSError {
        DBOSError(.invalidArgument, "invalid argument: \(message)")
    }
    static func queueDeduplicated(queue: String, deduplicationID: String) -> DBOSError {
        DBOSError(.queueDeduplicated, "queue '\(queue)' already has an active workflow with deduplication ID '\(deduplicationID)'")
    }
    static func stepTimedOut(step: String, after timeout: Duration) -> DBOSError {
        DBOSError(.stepTimedOut, "step '\(step)' timed out after \(timeout) and was cancelled")
    }
    static var shuttingDown: DBOSError {
        DBOSError(.shuttingDown, "the DBOS runtime is shutting down")
    }
}
