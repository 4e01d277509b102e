/// What a migration run found and did.
public struct MigrationReport: Sendable, Equatable {
    /// The schema version before the run (0 for an empty database).
    public var previousVersion: Int
    /// The schema version after the run.
    public var version: Int
    /// Whether this run created the schema.
    public var created: Bool { previousVersion == 0 && version == SystemSchema.version }
}

/// The DBOS system schema version this library creates and understands.
public enum SystemSchema {
    /// The migration number DBOS Transact 3.4.0 writes to `dbos_migrations`.
    public static let version = 125
}
