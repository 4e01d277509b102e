import DBOSTestSupport
import Foundation
import Testing
@testable import DBOS

/// `runMigrations: false` (issue 15), as DBOS 3.4's `run_migrations`: launch creates and changes
/// nothing, refuses a missing database or schema with a specific error, and runs on a schema
/// migrated beforehand.
@Suite(.timeLimit(.minutes(5))) struct RunMigrationsTests {
    @Test(arguments: Backend.available)
    func launchWithoutMigrationsNeedsAMigratedDatabase(backend: Backend) async throws {
        let url = backend.emptyDatabaseURL("nomig")
        let work = Workflow("unmigratedWork") { () async throws -> String in try await DBOS.step("answer") { "ok" } }
        func launch() async throws -> DBOS {
            let dbos = try DBOS(config: DBOSConfig(name: "test", systemDatabaseURL: url, runMigrations: false))
            try dbos.register(work)
            try await dbos.launch()
            return dbos
        }

        // No database at all: nothing is created.
        let missing = await #expect(throws: DBOSError.self) { _ = try await launch() }
        #expect(missing?.code == .databaseUnreachable, "\(String(describing: missing))")
        if case .sqlite(let path) = try DatabaseURL(parsing: url) {
            #expect(!FileManager.default.fileExists(atPath: path), "the SQLite file was not created")
        }

        // A database without the DBOS schema (a client creates the database, not the schema).
        let client = try await DBOSClient(databaseURL: url)
        let unmigrated = await #expect(throws: DBOSError.self) { _ = try await launch() }
        #expect(unmigrated?.code == .unsupportedSchemaVersion, "\(String(describing: unmigrated))")
        #expect(unmigrated?.message.contains("runMigrations false") == true, "\(String(describing: unmigrated))")

        // Migrated out of band: the runtime runs.
        _ = try await client.migrate()
        await client.close()
        let dbos = try await launch()
        #expect(try await dbos.run(work) == "ok")
        await dbos.shutdown()
    }
}
