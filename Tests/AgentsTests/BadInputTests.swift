import DBOS
@testable import DBOSAgents
import DBOSTestSupport
import Foundation
import Testing

/// Acceptance 5: a tool answering malformed JSON, a tool name the agent does not have, and an
/// MCP server that dies mid-call are each recorded as a step error with a clear message,
/// retried as the policy says, and the run still finishes (the model gets the errors).
@Suite(.timeLimit(.minutes(5)))
struct BadInputTests {
    @Test(arguments: Backend.available)
    func badToolsAreStepErrorsAndTheRunFinishes(backend: Backend) async throws {
        let directory = try ScratchDirectory.fresh("agents-bad-input")
        let callLog = directory.appendingPathComponent("calls.log").path
        let server = fixtureServer(callLog: callLog, marker: directory.appendingPathComponent("crashed-once").path,
                                   policy: StepPolicy(retries: quickRetries(2), timeout: .seconds(30)))
        let plan = ["broken_json", "no_such_tool", "crash_once", "always_crash"]
        let model = ScriptedAgentModel { conversation, _ in
            let results = conversation.filter { $0.role == "tool" }.map(\.content)
            if results.count < plan.count {
                return ModelTurn(toolCalls: [ToolCall(id: "call-\(results.count)", name: plan[results.count])])
            }
            return ModelTurn(text: results.joined(separator: " | "))
        }
        let agent = Agent(model: model, instructions: "Try every tool.", mcpServers: [server])
        let workflow = Workflow("badInputAgent") { (task: String) async throws -> AgentResult in try await agent.run(task) }

        try await withAgentRuntime(try await backend.freshDatabaseURL("agents_bad"), workflow) { dbos in
            let handle = try await dbos.start(workflow, "go")
            let result = try await handle.result()
            #expect(try await handle.status().state == .success)
            let steps = try await handle.steps()
            #expect(steps.map(\.functionName) == [
                "mcp.listTools:fixture", "agent.model", "mcp:fixture/broken_json", "agent.model", "tool:no_such_tool",
                "agent.model", "mcp:fixture/crash_once", "agent.model", "mcp:fixture/always_crash", "agent.model",
                "DBOS.writeStream", "DBOS.closeStream",
            ])
            func step(_ name: String) -> StepRecord? { steps.first { $0.functionName == name } }
            #expect(step("mcp:fixture/broken_json")?.error?.contains("tool 'broken_json' returned malformed JSON") == true)
            #expect(step("tool:no_such_tool")?.error?.contains("unknown tool 'no_such_tool'") == true)
            #expect(step("mcp:fixture/crash_once")?.error == nil)
            #expect(step("mcp:fixture/crash_once")?.output?.contains("survived") == true)
            #expect(step("mcp:fixture/always_crash")?.error?.contains("MCP server 'fixture' exited (exit status 4) during call to 'always_crash'") == true)

            let answer = result.answer.components(separatedBy: " | ")
            #expect(answer.count == 4)
            #expect(answer[0].contains("returned malformed JSON"))
            #expect(answer[1].contains("unknown tool 'no_such_tool' (the agent has: lookup, broken_json, crash_once, always_crash, fail, hang)"))
            #expect(answer[2] == "survived")
            #expect(answer[3].contains("exited (exit status 4)"))
        }
        await server.shutdown()
        // Two attempts each where the policy allows two; the unknown tool never reached a server.
        #expect(lines(of: callLog).map { $0.split(separator: "\t").first.map(String.init) ?? $0 }
            == ["broken_json", "broken_json", "crash_once", "crash_once", "always_crash", "always_crash"])
    }

    /// An MCP server that stops answering: the call times out, the process is ended, and the
    /// retry runs on a new one; the step error says so and the run still finishes.
    @Test(arguments: Backend.available)
    func aHungMCPServerTimesOutAndIsReplaced(backend: Backend) async throws {
        let directory = try ScratchDirectory.fresh("agents-hang")
        let callLog = directory.appendingPathComponent("calls.log").path
        // Each attempt of `hang` waits out the whole timeout. The second attempt starts a new
        // server process, whose start (slow on a loaded machine) has a bound of its own.
        let server = fixtureServer(callLog: callLog, policy: StepPolicy(retries: quickRetries(2), timeout: .seconds(2)))
        // The first process is up before the run starts (a start that times out under load is retried).
        try await eventually(timeout: .seconds(90), "the fixture server to list its tools") { (try? await server.listTools()) != nil }
        let model = ScriptedAgentModel { conversation, _ in
            guard let result = conversation.latestToolResults.first else { return ModelTurn(toolCalls: [ToolCall(id: "h", name: "hang")]) }
            return ModelTurn(text: result.content)
        }
        let agent = Agent(model: model, instructions: "", mcpServers: [server])
        let workflow = Workflow("hangAgent") { (task: String) async throws -> AgentResult in try await agent.run(task) }
        try await withAgentRuntime(try await backend.freshDatabaseURL("agents_hang"), workflow) { dbos in
            let handle = try await dbos.start(workflow, "go")
            let result = try await handle.result()
            #expect(result.answer.contains("tool 'hang' of MCP server 'fixture' timed out after 2.0 seconds"))
            let step = try await handle.steps().first { $0.functionName == "mcp:fixture/hang" }
            #expect(step?.error?.contains("timed out after 2.0 seconds") == true)
        }
        await server.shutdown()
        let calls = lines(of: callLog)
        #expect(calls.count == 2 && calls.allSatisfy { $0.hasPrefix("hang\t") })
        #expect(Set(calls).count == 2, "each attempt ran on its own server process: \(calls)")
    }

    /// A server's start has a bound of its own (`startTimeout`), apart from each call's timeout:
    /// a server slower to start than a call may take still serves the call; a start past its
    /// bound ends the process and fails as unavailable. (No database: nothing here is durable.)
    @Test func aServerStartHasABoundOfItsOwn() async throws {
        let directory = try ScratchDirectory.fresh("agents-start")
        let command = [ChildProcess.executable("mcp-fixture-server").path]
        func server(_ log: String, startDelay: Duration, startTimeout: Duration) -> MCPServer {
            MCPServer(name: "fixture", command: command,
                      environment: ["FIXTURE_CALL_LOG": log, "FIXTURE_START_DELAY_MS": "\(startDelay.components.seconds * 1000)"],
                      policy: StepPolicy(retries: quickRetries(1), timeout: .seconds(2)), startTimeout: startTimeout)
        }
        let slowLog = directory.appendingPathComponent("slow.log").path
        let slow = server(slowLog, startDelay: .seconds(4), startTimeout: .seconds(120))
        #expect(try await slow.listTools().map(\.name).contains("hang"), "a 4 s start does not count against the 2 s call timeout")
        await slow.shutdown()

        let stuckLog = directory.appendingPathComponent("stuck.log").path
        let stuck = server(stuckLog, startDelay: .seconds(3600), startTimeout: .seconds(1))
        do {
            _ = try await stuck.listTools()
            Issue.record("a server that never finishes starting was listed")
        } catch AgentError.serverUnavailable(let name, let reason) {
            #expect(name == "fixture")
            #expect(reason.contains("starting MCP server 'fixture' timed out after 1.0 seconds"), "\(reason)")
        }
        #expect(processes(withEnvironment: "FIXTURE_CALL_LOG=\(stuckLog)").isEmpty, "the stuck server process was ended")
    }

    /// An MCP server process inherits none of this process's descriptors (swift-nio opens its
    /// sockets without close-on-exec): a database connection the pool closes must end on the
    /// server, not live on in a copy held by the child.
    @Test func anMCPServerInheritsNoSocket() async throws {
        let directory = try ScratchDirectory.fresh("agents-fds")
        let log = directory.appendingPathComponent("calls.log").path
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)   // as swift-nio opens them
        #expect(socketFD >= 0)
        defer { close(socketFD) }
        let ours = try #require(socketInode(of: getpid(), descriptor: socketFD))
        let server = fixtureServer(callLog: log, policy: StepPolicy(retries: quickRetries(1), timeout: .seconds(30)))
        _ = try await server.listTools()
        let pid = try #require(processes(withEnvironment: "FIXTURE_CALL_LOG=\(log)").first, "the server process")
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd"))?.compactMap(Int32.init) ?? []
        #expect(!descriptors.isEmpty, "the server's descriptors were read")
        #expect(!descriptors.contains { socketInode(of: pid, descriptor: $0) == ours }, "the server holds a copy of our socket")
        await server.shutdown()
    }

    /// The `socket:[inode]` that `descriptor` of process `pid` names, if it is a socket.
    private func socketInode(of pid: pid_t, descriptor: Int32) -> String? {
        let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(descriptor)")) ?? ""
        return target.hasPrefix("socket:") ? target : nil
    }

    /// The IDs of this user's live processes whose environment holds `entry` (Linux: read from
    /// /proc; elsewhere none are found).
    private func processes(withEnvironment entry: String) -> [Int32] {
        let ids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.compactMap(Int32.init) ?? []
        return ids.filter { id in
            guard let environment = FileManager.default.contents(atPath: "/proc/\(id)/environ") else { return false }
            return environment.split(separator: 0).contains { String(decoding: $0, as: UTF8.self) == entry }
        }
    }
}
