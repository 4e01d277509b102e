/// A failed statement, classified the same way on both backends.
struct SQLFailure: Error, CustomStringConvertible {
    enum Kind: Sendable { case uniqueViolation, foreignKeyViolation, serializationFailure, other }
    var kind: Kind
    var message: String
    var sql: String
    var description: String { message }
}

extension Error {
    /// Whether this error is a unique-key violation on either backend.
    var isUniqueViolation: Bool { (self as? SQLFailure)?.kind == .uniqueViolation }
    /// Whether this error is a foreign-key violation on either backend.
    var isForeignKeyViolation: Bool { (self as? SQLFailure)?.kind == .foreignKeyViolation }
}

/// Runs a public operation, turning a raw database failure into ``DBOSError/databaseError(operation:reason:)``.
func publicOperation<T>(_ operation: String, _ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let failure as SQLFailure {
        throw DBOSError.databaseError(operation: operation, reason: failure.message)
    }
}
