import Logging

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

/// Creates the DBOS schema at version 125, leaves a current one alone and tolerates a newer one.
struct Migrator {
    let driver: any SQLDriver
    let schema: String
    let logger: Logger

    func migrate() async throws -> MigrationReport {
        let dialect = driver.dialect
        if dialect.isPostgres {
            _ = try await driver.write(SQLStatement("CREATE SCHEMA IF NOT EXISTS \(quoted(schema))"))
        }
        let found = try await currentVersion()
        if found >= SystemSchema.version {
            if found > SystemSchema.version {
                logger.warning("system database schema is newer than this library knows; using it as is",
                               metadata: ["found": "\(found)", "known": "\(SystemSchema.version)"])
            }
            return MigrationReport(previousVersion: found, version: found)
        }
        if found > 0 {
            throw DBOSError.unsupportedSchemaVersion(
                found: found,
                reason: "it was created by an older DBOS Transact; upgrade it to version \(SystemSchema.version) with `dbos migrate` of DBOS Python 3.4.0, then retry")
        }
        let statements = dialect.isPostgres ? PostgresSchema.statements(schema: quoted(schema)) : SQLiteSchema.statements
        let migrations = dialect.table("dbos_migrations")
        let lock = dialect.isPostgres ? ["SELECT pg_advisory_xact_lock(1250125)"] : []
        let createMigrations = dialect.isPostgres
            ? "CREATE TABLE IF NOT EXISTS \(migrations) (version bigint NOT NULL PRIMARY KEY)"
            : "CREATE TABLE IF NOT EXISTS dbos_migrations (version INTEGER NOT NULL PRIMARY KEY)"
        try await driver.transaction { executor in
            for statement in lock { _ = try await executor.execute(SQLStatement(statement)) }
            _ = try await executor.execute(SQLStatement(createMigrations))
            // Another process may have migrated while we waited for the lock.
            let rows = try await executor.execute(SQLStatement("SELECT version FROM \(migrations)"))
            if let version = rows.first?.int("version"), version > 0 { return }
            for statement in statements where !statement.contains("dbos_migrations") {
                _ = try await executor.execute(SQLStatement(statement))
            }
            _ = try await executor.execute(SQLStatement("INSERT INTO \(migrations) (version) VALUES ($1)", [.int(Int64(SystemSchema.version))]))
        }
        logger.info("created DBOS system schema", metadata: ["version": "\(SystemSchema.version)"])
        return MigrationReport(previousVersion: 0, version: SystemSchema.version)
    }

    /// The recorded version, 0 when there is no `dbos_migrations` table or row.
    func currentVersion() async throws -> Int {
        let dialect = driver.dialect
        let exists: [SQLRow]
        if dialect.isPostgres {
            exists = try await driver.read(SQLStatement(
                "SELECT 1 AS present FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'dbos_migrations'",
                [.text(schema)]))
        } else {
            exists = try await driver.read(SQLStatement(
                "SELECT 1 AS present FROM sqlite_master WHERE type = 'table' AND name = 'dbos_migrations'"))
        }
        guard !exists.isEmpty else { return 0 }
        let rows = try await driver.read(SQLStatement("SELECT version FROM \(dialect.table("dbos_migrations"))"))
        return Int(rows.first?.int("version") ?? 0)
    }

    private func quoted(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
