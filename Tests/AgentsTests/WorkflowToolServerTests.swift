import DBOS
import DBOSTestSupport
import Foundation
import Logging
import MCP
import Testing
@testable import DBOSAgents

/// Acceptance 4: the MCP SDK's client, talking to a real server process that exposes a DBOS
/// application's workflows, lists the workflow tools, starts one and reads its result.
@Suite(.timeLimit(.minutes(5)))
struct WorkflowToolServerTests {
    @Test(arguments: Backend.available)
    func anMCPClientStartsAWorkflowAndReadsItsResult(backend: Backend) async throws {
        let url = try await backend.freshDatabaseURL("agents_mcp_server")
        let process = try PipedProcess(command: [ChildProcess.executable("agent-crash-fixture").path, "serve-workflows", "--database-url", url],
                                       environment: [:])
        let client = Client(name: "agents-test", version: "1.0.0")
        let transport = ChildProcessTransport(process: process, logger: Logger(label: "agents-test")) { _ in await client.disconnect() }
        try await client.connect(transport: transport)

        let (tools, _) = try await client.listTools()
        #expect(tools.map(\.name) == ["start_greet", "workflow_status", "workflow_result", "workflow_send"])

        let started = try await client.callTool(name: "start_greet", arguments: ["input": "Ada", "workflow_id": "greet-ada"])
        #expect(started.isError == false)
        #expect(try json(started.content) == .object(["workflow_id": .string("greet-ada")]))

        let result = try await client.callTool(name: "workflow_result", arguments: ["workflow_id": "greet-ada", "wait_seconds": 30])
        #expect(try json(result.content) == .object(["state": .string("SUCCESS"), "output": .string("Hello, Ada!")]))

        let status = try await client.callTool(name: "workflow_status", arguments: ["workflow_id": "greet-ada"])
        #expect(try json(status.content) == .object(["workflow_id": .string("greet-ada"), "name": .string("greet"), "state": .string("SUCCESS")]))

        let missing = try await client.callTool(name: "workflow_status", arguments: ["workflow_id": "nobody"])
        #expect(missing.isError == true)

        await client.disconnect()
        await process.terminate()

        // The workflow is a real row of the system database, finished.
        let reader = try await DBOSClient(databaseURL: url)
        #expect(try await reader.result(of: "greet-ada", as: String.self) == "Hello, Ada!")
        #expect(try await reader.getWorkflowStatus("greet-ada")?.state == .success)
        await reader.close()
    }

    private func json(_ content: [Tool.Content]) throws -> JSONValue {
        guard case .text(let text, _, _)? = content.first else { throw TestFailure("no text content in \(content)") }
        return try JSONValue(parsing: text)
    }
}
