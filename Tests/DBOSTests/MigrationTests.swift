import DBOSTestSupport
import Foundation
import Testing
@testable import DBOS

@Suite struct MigrationTests {
    @Test(arguments: Backend.available)
    func migratesToVersion125OnceAndToleratesNewer(backend: Backend) async throws {
        let client = try await DBOSClient(databaseURL: backend.emptyDatabaseURL())
        let created = try await client.migrate()
        #expect(created == MigrationReport(previousVersion: 0, version: 125))
        #expect(created.created)
        let again = try await client.migrate()
        #expect(again == MigrationReport(previousVersion: 125, version: 125))
        let database = client.systemDatabase as! SQLSystemDatabase
        let table = database.dialect.table(.migrations)
        _ = try await database.driver.write("UPDATE \(table) SET version = 131")
        #expect(try await client.migrate() == MigrationReport(previousVersion: 131, version: 131))
        let rows = try await database.driver.read("SELECT version FROM \(table)")
        #expect(rows.map { $0.int("version") } == [131])
        await client.close()
    }

    @Test(arguments: Backend.available)
    func olderSchemaIsRefusedWithAClearError(backend: Backend) async throws {
        let client = try await DBOSClient(databaseURL: backend.emptyDatabaseURL())
        _ = try await client.migrate()
        let database = client.systemDatabase as! SQLSystemDatabase
        _ = try await database.driver.write("UPDATE \(database.dialect.table(.migrations)) SET version = 42")
        do {
            _ = try await client.migrate()
            Issue.record("expected an error")
        } catch let error as DBOSError where error.code == .unsupportedSchemaVersion {
            #expect(error.message.hasPrefix("system database schema version 42 is not supported:"), "\(error)")
            #expect(error.message.contains("dbos migrate"))
        }
        await client.close()
    }

    @Test(arguments: Backend.available)
    func schemaHasEveryDBOSTable(backend: Backend) async throws {
        let client = try await DBOSClient(databaseURL: backend.emptyDatabaseURL())
        _ = try await client.migrate()
        let database = client.systemDatabase as! SQLSystemDatabase
        let postgres = client.backendName == "postgres"
        let sql: SQLQuery = postgres
            ? "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'dbos'"
            : "SELECT name FROM sqlite_master WHERE type = 'table'"
        let tables = Set(try await database.driver.read(sql).compactMap { $0.string("name") })
        var expected: Set<String> = ["dbos_migrations", "workflow_status", "workflow_input", "workflow_output", "operation_outputs",
                                     "notifications", "workflow_events", "workflow_events_history", "streams",
                                     "workflow_schedules", "queues", "application_versions"]
        if postgres { expected.insert("event_dispatch_kv") }
        #expect(tables == expected)
        await client.close()
    }
}
