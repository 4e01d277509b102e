import DBOS
@testable import DBOSAgents
import DBOSTestSupport
import Foundation
import Testing

/// MCP servers over Streamable HTTP: the fixture server runs as a real process serving `/mcp`
/// with the SDK's stateful transport, which answers every request as server-sent events.
@Suite(.timeLimit(.minutes(5)))
struct MCPOverHTTPTests {
    /// The tool list is one step, each call one step; two calls of one turn run in parallel over
    /// the session, a tool's error and malformed JSON are step errors the model is told about,
    /// and each call reaches the server once.
    @Test(arguments: Backend.available)
    func anAgentCallsToolsOfAnHTTPServer(backend: Backend) async throws {
        let directory = try ScratchDirectory.fresh("agents-mcp-http")
        let callLog = directory.appendingPathComponent("calls.log").path
        let fixture = try ChildProcess.start("mcp-fixture-server", ["--http", "0"], environment: ["FIXTURE_CALL_LOG": callLog])
        defer { fixture.kill() }
        let port = try await fixture.awaitMatch(#"LISTENING (\d+)"#)
        let server = MCPServer(name: "remote", url: "http://127.0.0.1:\(port)/mcp", headers: ["Authorization": "Bearer test"],
                               policy: StepPolicy(retries: .none, timeout: .seconds(30)))
        let model = ScriptedAgentModel { conversation, _ in
            switch conversation.filter({ $0.role == "tool" }).count {
            case 0:
                return ModelTurn(toolCalls: [
                    ToolCall(id: "a", name: "lookup", arguments: .object(["key": .string("alpha")])),
                    ToolCall(id: "b", name: "lookup", arguments: .object(["key": .string("beta")])),
                ])
            case 2: return ModelTurn(toolCalls: [ToolCall(id: "c", name: "fail"), ToolCall(id: "d", name: "broken_json")])
            default: return ModelTurn(text: conversation.filter { $0.role == "tool" }.map(\.content).joined(separator: " | "))
            }
        }
        let agent = Agent(model: model, instructions: "Look things up.", mcpServers: [server], streamKey: nil)
        let workflow = Workflow("httpToolAgent") { (task: String) async throws -> AgentResult in try await agent.run(task) }

        try await withAgentRuntime(try await backend.freshDatabaseURL("agents_http"), workflow) { dbos in
            let handle = try await dbos.start(workflow, "go")
            let result = try await handle.result()
            let steps = try await handle.steps()
            #expect(steps.map(\.functionName) == [
                "mcp.listTools:remote", "agent.model", "mcp:remote/lookup", "mcp:remote/lookup", "agent.model",
                "mcp:remote/fail", "mcp:remote/broken_json", "agent.model",
            ])
            #expect(steps[0].output?.contains("lookup") == true, "the tool list is recorded")
            #expect(steps[5].error?.contains("tool 'fail' failed: the fixture refuses") == true, "\(steps[5].error ?? "no error")")
            #expect(steps[6].error?.contains("tool 'broken_json' returned malformed JSON") == true)
            #expect(result.answer.hasPrefix("value-of-alpha | value-of-beta | error: tool 'fail' failed"), "\(result.answer)")
        }
        await server.shutdown()
        #expect(lines(of: callLog).sorted() == ["broken_json\t", "fail\t", "lookup\talpha", "lookup\tbeta"])
    }

    /// A server that is not there: the tool list step fails with a clear error naming the
    /// endpoint, after the policy's attempts, and the workflow ends in ERROR (not stranded).
    @Test(arguments: Backend.available)
    func anUnreachableHTTPServerIsAClearStepError(backend: Backend) async throws {
        let server = MCPServer(name: "gone", url: "http://127.0.0.1:1/mcp", policy: StepPolicy(retries: quickRetries(2), timeout: .seconds(10)))
        let model = ScriptedAgentModel { _, _ in ModelTurn(text: "unreachable") }
        let agent = Agent(model: model, instructions: "Nothing.", mcpServers: [server], streamKey: nil)
        let workflow = Workflow("unreachableToolAgent") { (task: String) async throws -> AgentResult in try await agent.run(task) }
        try await withAgentRuntime(try await backend.freshDatabaseURL("agents_http_gone"), workflow) { dbos in
            let handle = try await dbos.start(workflow, "go")
            await #expect(throws: (any Error).self) { try await handle.result() }
            #expect(try await handle.status().state == .error)
            let steps = try await handle.steps()
            #expect(steps.map(\.functionName) == ["mcp.listTools:gone"])
            let error = steps.first?.error ?? ""
            #expect(error.contains("MCP server 'gone' unavailable") && error.contains("http://127.0.0.1:1/mcp"), "\(error)")
        }
    }
}
