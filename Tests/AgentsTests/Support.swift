import DBOS
import DBOSTestSupport
import Foundation
@testable import DBOSAgents

/// Runs `body` with a launched runtime on `url` serving `workflows`, and always shuts it down.
func withAgentRuntime<T>(_ url: String, _ workflows: any WorkflowDefinition..., body: (DBOS) async throws -> T) async throws -> T {
    let dbos = try DBOS(config: DBOSConfig(name: "agents-test", systemDatabaseURL: url))
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

/// The fixture MCP server, logging its calls to `callLog` (see Tests/Fixtures/mcp-fixture-server).
func fixtureServer(callLog: String, marker: String? = nil, policy: StepPolicy) -> MCPServer {
    var environment = ["FIXTURE_CALL_LOG": callLog]
    if let marker { environment["FIXTURE_MARKER"] = marker }
    return MCPServer(name: "fixture", command: [ChildProcess.executable("mcp-fixture-server").path],
                     environment: environment, policy: policy)
}

/// A retry policy with short waits.
func quickRetries(_ attempts: Int) -> RetryPolicy {
    RetryPolicy(maxAttempts: attempts, initialInterval: .milliseconds(20), backoffRate: 1, maxInterval: .milliseconds(20))
}

/// Counts how often each key was hit (tool bodies, model turns).
final class Tally: Sendable {
    private let counts = Mutex<[String: Int]>([:])
    func hit(_ key: String) { counts.withLock { $0[key, default: 0] += 1 } }
    func count(_ key: String) -> Int { counts.withLock { $0[key, default: 0] } }
}

import Synchronization
