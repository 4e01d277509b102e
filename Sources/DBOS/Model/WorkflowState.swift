/// The status of a workflow, as stored in `workflow_status.status`.
public enum WorkflowState: Sendable, Hashable, Codable, RawRepresentable, CustomStringConvertible {
    /// Running (or waiting to be recovered).
    case pending
    /// Waiting on a queue.
    case enqueued
    /// Waiting on a queue until its delay passes.
    case delayed
    /// Finished with an output.
    case success
    /// Finished with an error.
    case error
    /// Cancelled (or timed out) before it finished.
    case cancelled
    /// Recovered more often than its limit allows; it is not run again.
    case maxRecoveryAttemptsExceeded
    /// A status this version of the library does not know (written by a newer DBOS).
    case unknown(String)

    /// The statuses DBOS Transact 3.4 writes.
    public static let known: [WorkflowState] = [
        .pending, .enqueued, .delayed, .success, .error, .cancelled, .maxRecoveryAttemptsExceeded,
    ]

    /// The state stored as `rawValue`; text this library does not know is ``unknown(_:)``.
    public init(rawValue: String) {
        self = Self.known.first { $0.rawValue == rawValue } ?? .unknown(rawValue)
    }

    /// The text stored in the database (`PENDING`, `SUCCESS`, ...).
    public var rawValue: String {
        switch self {
        case .pending: "PENDING"
        case .enqueued: "ENQUEUED"
        case .delayed: "DELAYED"
        case .success: "SUCCESS"
        case .error: "ERROR"
        case .cancelled: "CANCELLED"
        case .maxRecoveryAttemptsExceeded: "MAX_RECOVERY_ATTEMPTS_EXCEEDED"
        case .unknown(let text): text
        }
    }

    public var description: String { rawValue }

    /// Whether the workflow may still run (ENQUEUED, PENDING or DELAYED). An unknown status
    /// counts as active: nothing treats it as finished.
    public var isActive: Bool {
        switch self {
        case .pending, .enqueued, .delayed, .unknown: true
        case .success, .error, .cancelled, .maxRecoveryAttemptsExceeded: false
        }
    }
}
