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
    let dbos = try await DBOS(config: DBOSConfig(name: name, systemDatabaseURL: url, applicationVersion: applicationVersion))
    try dbos.register(workflows)
    try await dbos.launch()
    return dbos
}

/// Runs `body` with a launched runtime and always shuts it down.
@discardableResult
func withRuntime<T>(_ url: String, applicationVersion: String = "test-version", _ workflows: any WorkflowDefinition...,
                    body: (DBOS) async throws -> T) async throws -> T {
    let dbos = try await DBOS(config: DBOSConfig(name: "test", systemDatabaseURL: url, applicationVersion: applicationVersion))
    try dbos.register(workflows)
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

/// Waits (by reading the database, without fixed sleeps) until `condition` holds, or fails after `timeout`.
func eventually(timeout: Duration = .seconds(20), _ what: String, _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(10))
    }
    throw TestFailure("timed out waiting for \(what)")
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Raw SQL for tests that need to look at or damage rows directly; `dbos.` names a table of
/// the system database on either backend.
func rawSQL(_ systemDatabase: any SystemDatabase, _ sql: String, _ binds: [SQLValue] = []) async throws -> [SQLRow] {
    let database = systemDatabase as! SQLSystemDatabase
    let prefixed = sql.replacingOccurrences(of: "dbos.", with: database.driver.dialect.prefix)
    return try await database.driver.write(SQLStatement(prefixed, binds))
}

extension DBOSClient {
    /// See ``rawSQL(_:_:_:)``.
    func rawSQL(_ sql: String, _ binds: [SQLValue] = []) async throws -> [SQLRow] {
        try await DBOSTests.rawSQL(systemDatabase, sql, binds)
    }
}

extension DBOS {
    /// See ``rawSQL(_:_:_:)``.
    func rawSQL(_ sql: String, _ binds: [SQLValue] = []) async throws -> [SQLRow] {
        try await DBOSTests.rawSQL(systemDatabase, sql, binds)
    }
}
