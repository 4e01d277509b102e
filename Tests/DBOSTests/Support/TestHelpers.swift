import DBOSTestSupport
import Foundation
import Synchronization
@testable import DBOS

/// Counts how often each step body ran.
final class Counter: Sendable {
    private let counts = Mutex<[String: Int]>([:])
    @discardableResult
    func hit(_ key: String) -> Int { counts.withLock { $0[key, default: 0] += 1; return $0[key]! } }
    func count(_ key: String) -> Int { counts.withLock { $0[key, default: 0] } }
}

/// Creates and launches a runtime on `url` with the given workflows.
func launchRuntime(_ url: String, name: String = "test", applicationVersion: String = "test-version",
                   _ workflows: any WorkflowDefinition...) async throws -> DBOS {
    let dbos = try DBOS(config: DBOSConfig(name: name, systemDatabaseURL: url, applicationVersion: applicationVersion))
    try dbos.register(workflows)
    try await dbos.launch()
    return dbos
}

/// Runs `body` with a launched runtime (serving `queues`) and always shuts it down.
@discardableResult
func withRuntime<T>(_ url: String, applicationVersion: String = "test-version", _ workflows: any WorkflowDefinition...,
                    queues: [Queue] = [], body: (DBOS) async throws -> T) async throws -> T {
    try await withRuntime(config: DBOSConfig(name: "test", systemDatabaseURL: url, applicationVersion: applicationVersion),
                          workflows, queues: queues, body: body)
}

/// Runs `body` with a runtime launched on `config` (serving `queues`) and always shuts it down.
@discardableResult
func withRuntime<T>(config: DBOSConfig, _ workflows: [any WorkflowDefinition], queues: [Queue] = [],
                    body: (DBOS) async throws -> T) async throws -> T {
    let dbos = try DBOS(config: config)
    try dbos.register(workflows)
    try dbos.registerQueues(queues)
    try await dbos.launch()
    do {
        let result = try await body(dbos)
        await dbos.shutdown()
        return result
    } catch {
        await dbos.shutdown()
        throw error
    }
}

/// Raw SQL for tests that need to look at or damage rows directly; `dbos.` names a table of
/// the system database on either backend. Interpolated values are binds, as everywhere.
func rawSQL(_ systemDatabase: any SystemDatabase, _ query: SQLQuery) async throws -> [SQLRow] {
    let database = systemDatabase as! SQLSystemDatabase
    let prefix = database.dialect.tablePrefix.text
    return try await database.driver.write(query.mappingText { $0.replacingOccurrences(of: "dbos.", with: prefix) })
}

extension DBOSClient {
    /// See ``rawSQL(_:_:)``.
    func rawSQL(_ query: SQLQuery) async throws -> [SQLRow] {
        try await DBOSTests.rawSQL(systemDatabase, query)
    }
}

extension DBOS {
    /// See ``rawSQL(_:_:)``.
    func rawSQL(_ query: SQLQuery) async throws -> [SQLRow] {
        try await DBOSTests.rawSQL(systemDatabase, query)
    }
}

extension SQLRow {
    /// A column's value for a test's assertions (nil when missing, NULL or of another type).
    func string(_ column: String) -> String? { (try? decode(column, as: String?.self)) ?? nil }
    func int(_ column: String) -> Int? { (try? decode(column, as: Int?.self)) ?? nil }
    func bool(_ column: String) -> Bool? { (try? decode(column, as: Bool?.self)) ?? nil }
}
