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
