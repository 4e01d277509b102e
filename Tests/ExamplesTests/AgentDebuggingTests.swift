import DBOSTestSupport
import DBOS
import Foundation
import Testing

/// The agent-debugging story in real processes (a DBOSAgents agent): a run fails on malformed
/// model output in its last model step, the steps show why, and a fork from that step with the
/// fixed prompt succeeds without repeating the earlier tool calls.
@Suite struct AgentDebuggingTests {
    @Test(arguments: Backend.available)
    func forkFromTheFailedStepReusesEarlierToolCalls(backend: Backend) async throws {
        let directory = try ScratchDirectory.fresh("agent-debugging")
        let database = try await backend.freshDatabaseURL("agentdbg")
        let toolLog = directory.appendingPathComponent("tool-calls.txt").path
        let id = "research-\(UUID().uuidString.prefix(8).lowercased())"
        let common = ["--database-url", database, "--tool-log", toolLog]

        let failed = try await ChildProcess.run("agent-debugging", ["run", "--workflow-id", id] + common, in: directory, separateErrors: false)
        #expect(failed.status == 1, "\(failed.output)")
        #expect(failed.output.contains("FAILED at step 5 (agent.model): missing field \"sources\""), "\(failed.output)")
        let toolCallsOfTheRun = lines(of: toolLog)
        #expect(toolCallsOfTheRun.count == 3 && toolCallsOfTheRun.allSatisfy { $0.hasPrefix("search\t") }, "\(toolCallsOfTheRun)")

        // The walkthrough's inspection command shows the failing step and the earlier outputs.
        let steps = try await ChildProcess.run("dbos-swift", ["workflow", "steps", id, "--database-url", database, "--json"], in: directory, separateErrors: false)
        #expect(steps.status == 0, "\(steps.output)")
        #expect(steps.output.contains("missing field") && steps.output.contains("example.org"), "\(steps.output)")

        let forkID = "\(id)-fixed"
        let fork = try await ChildProcess.run("agent-debugging", ["fork", id, "--fixed-prompt", "--new-id", forkID] + common, in: directory, separateErrors: false)
        #expect(fork.status == 0, "\(fork.output)")
        #expect(fork.output.contains("Forked \(id) from step 5"), "\(fork.output)")
        #expect(fork.output.contains("Search tool calls executed by this process: 0"), "\(fork.output)")
        #expect(lines(of: toolLog) == toolCallsOfTheRun, "no tool call before the fork point ran again")

        let client = try await DBOSClient(databaseURL: database)
        let original = try await client.listSteps(id)
        let forked = try await client.listSteps(forkID)
        let status = try await client.getWorkflowStatus(forkID)
        await client.close()
        #expect(status?.state == .success)
        #expect(status?.forkedFrom == id)
        #expect(original.map(\.functionName) == ["agent.model", "tool:search", "tool:search", "tool:search", "agent.model"])
        #expect(forked.map(\.functionName) == original.map(\.functionName))
        #expect(forked.prefix(4).map(\.output) == original.prefix(4).map(\.output), "steps before the fork reuse the recorded outputs")
        #expect(original[4].error != nil && forked[4].error == nil && forked[4].output?.contains("sources") == true)
        let summary = try #require(status?.output)
        #expect(summary.contains("https://example.org/"), "the fixed summary lists its sources: \(summary)")
    }
}
