import Logging

/// Creates the DBOS schema at version 125, leaves a current one alone and tolerates a newer one.
struct Migrator {
    let driver: any SQLDriver
    let schema: String
    let logger: Logger

    private var ddl: SchemaDDL { driver.dialect.schema }
    private var migrations: SQLFragment { driver.dialect.table(.migrations) }

    func migrate() async throws -> MigrationReport {
        if let namespace = ddl.namespace { _ = try await driver.write(namespace) }
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
        let ddl = self.ddl, migrations = self.migrations
        try await driver.transaction { executor in
            if let lock = ddl.lock { _ = try await executor.execute(lock) }
            _ = try await executor.execute(ddl.migrationsTable)
            // Another process may have migrated while we waited for the lock.
            let rows = try await executor.execute("SELECT version FROM \(migrations)")
            if let version = try rows.first?.decode("version", as: Int.self), version > 0 { return }
            for statement in ddl.statements where !statement.description.contains("dbos_migrations") {
                _ = try await executor.execute(statement)
            }
            _ = try await executor.execute("INSERT INTO \(migrations) (version) VALUES (\(SystemSchema.version))")
        }
        logger.info("created DBOS system schema", metadata: ["version": "\(SystemSchema.version)"])
        return MigrationReport(previousVersion: 0, version: SystemSchema.version)
    }

    /// For a process that must not migrate (``DBOSConfig/runMigrations`` false): throws unless
    /// the schema is at this library's version or newer, and changes nothing.
    func verify() async throws {
        let found = try await currentVersion()
        guard found < SystemSchema.version else { return }
        throw DBOSError.unsupportedSchemaVersion(
            found: found,
            reason: "this version of DBOS needs \(SystemSchema.version), and this process is configured with runMigrations false, "
                + "so it does not migrate: migrate the system database first (`dbos-swift migrate` or `dbos migrate`), "
                + "or launch with runMigrations true")
    }

    /// The recorded version, 0 when there is no `dbos_migrations` table or row.
    func currentVersion() async throws -> Int {
        guard try await !driver.read(ddl.migrationsTableExists).isEmpty else { return 0 }
        return try await driver.read("SELECT version FROM \(migrations)").first?.decode("version") ?? 0
    }

}
