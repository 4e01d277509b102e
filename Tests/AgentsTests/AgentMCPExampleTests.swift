import DBOSTestSupport
import Foundation
import Testing

/// The agent-mcp example: its agent gets its tools from an MCP server process (the example
/// binary in --serve-tools mode); running it again with the same workflow ID returns the
/// recorded answer without calling the tools again.
@Suite(.timeLimit(.minutes(5)))
struct AgentMCPExampleTests {
    @Test(arguments: Backend.available)
    func thePlannerUsesTheMCPToolsOnce(backend: Backend) async throws {
        let directory = try ScratchDirectory.fresh("agent-mcp-example")
        let callLog = directory.appendingPathComponent("calls.log").path
        let arguments = ["Plan a day in Oslo", "--database-url", try await backend.freshDatabaseURL("agent_mcp"),
                         "--workflow-id", "trip-oslo", "--call-log", callLog]
        let answer = "Answer: Plan for Oslo: the weather is rain, 9°C, so see the Opera House, Vigeland Park."

        let first = try await ChildProcess.run("agent-mcp", arguments)
        #expect(first.status == 0, "\(first.output)")
        #expect(first.stdout.contains(answer), "\(first.stdout)")
        #expect(first.stdout.contains("step 3 mcp:trip-tools/weather") && first.stdout.contains("step 4 mcp:trip-tools/sights"))
        #expect(lines(of: callLog).sorted() == ["sights\tOslo", "weather\tOslo"])

        let again = try await ChildProcess.run("agent-mcp", arguments)
        #expect(again.status == 0, "\(again.output)")
        #expect(again.stdout.contains(answer), "\(again.stdout)")
        #expect(lines(of: callLog).count == 2, "the second run replays the recorded calls")
    }
}
