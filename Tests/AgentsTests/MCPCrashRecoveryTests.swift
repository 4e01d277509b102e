import DBOSTestSupport
import Foundation
import Testing

/// Acceptance 1: an agent process calling three tools of a real MCP server is SIGKILLed after
/// the second call; the rerun resumes, each tool is called once in all, and the answer is the
/// one an uninterrupted run gives.
@Suite(.timeLimit(.minutes(5)))
struct MCPCrashRecoveryTests {
    @Test(arguments: Backend.available)
    func aKilledAgentResumesWithoutCallingAToolTwice(backend: Backend) async throws {
        let directory = try ScratchDirectory.fresh("agents-mcp-crash")
        let url = try await backend.freshDatabaseURL("agents_crash")
        let server = ChildProcess.executable("mcp-fixture-server").path
        func arguments(_ id: String, _ log: String) -> [String] {
            ["run", "lookup", "--database-url", url, "--workflow-id", id, "--mcp-server", server,
             "--call-log", directory.appendingPathComponent(log).path]
        }
        let callLog = directory.appendingPathComponent("crash.log").path

        // Turn 3 starts only once the second call is recorded; the model hangs there and is killed.
        let first = try ChildProcess.start("agent-crash-fixture", arguments("lookup-crash", "crash.log") + ["--hang-turn", "3"])
        _ = try await first.awaitMatch("HANGING at turn 3")
        first.kill(SIGKILL)
        #expect(try await first.waitForExit() == 128 + SIGKILL)
        #expect(lines(of: callLog) == ["lookup\talpha", "lookup\tbeta"])

        let rerun = try await ChildProcess.run("agent-crash-fixture", arguments("lookup-crash", "crash.log"))
        #expect(rerun.status == 0, "\(rerun.output)")
        #expect(lines(of: callLog) == ["lookup\talpha", "lookup\tbeta", "lookup\tgamma"])

        let plain = try await ChildProcess.run("agent-crash-fixture", arguments("lookup-plain", "plain.log"))
        #expect(plain.status == 0, "\(plain.output)")
        let answer = answerLine(rerun.stdout)
        #expect(answer == "Answer: alpha=value-of-alpha, beta=value-of-beta, gamma=value-of-gamma")
        #expect(answer == answerLine(plain.stdout))
    }

    private func answerLine(_ output: String) -> String? {
        output.split(separator: "\n").first { $0.hasPrefix("RESULT: ") }.map { String($0.dropFirst(8)) }
    }
}
