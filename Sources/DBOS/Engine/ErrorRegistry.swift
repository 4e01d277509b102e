import Synchronization

/// Swift error types that stored errors are decoded back into, by type name.
final class ErrorRegistry: Sendable {
    private let decoders = Mutex<[String: @Sendable (WorkflowFailure) -> (any Error)?]>([:])

    func register<E: Error & Decodable>(_ type: E.Type) {
        let name = String(describing: E.self)
        decoders.withLock { $0[name] = { failure in try? failure.decode(as: E.self) } }
    }

    /// The Swift error for a stored failure: a registered type decoded from its data,
    /// a ``DBOSError`` raised by a step's retries, or ``DBOSError/Code/workflowFailed``.
    func error(from failure: WorkflowFailure) -> any Error {
        if let decode = decoders.withLock({ $0[failure.name] }), let error = decode(failure) {
            return error
        }
        return DBOSError.workflowFailed(failure)
    }
}
