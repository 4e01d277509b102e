import AsyncHTTPClient
import DBOSAgents
import DBOSTestSupport
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// Acceptance 3: a client following an agent's tokens over server-sent events sees every token
/// once across a SIGKILL of the agent process, reconnecting with its last event ID.
@Suite(.timeLimit(.minutes(5)))
struct TokenStreamTests {
    @Test(arguments: Backend.available)
    func aReconnectingClientSeesEveryTokenOnce(backend: Backend) async throws {
        let url = try await backend.freshDatabaseURL("agents_sse")
        let arguments = ["run", "stream", "--database-url", url, "--workflow-id", "sse-agent", "--http-port", "0", "--linger"]

        // The final turn stops after 6 tokens; the client reads 4 of them, then the process is killed.
        let first = try ChildProcess.start("agent-crash-fixture", arguments + ["--hang-turn", "2", "--hang-after-tokens", "6"])
        let port = try await first.awaitMatch("LISTENING (\\d+)")
        _ = try await first.awaitMatch("HANGING at turn 2")
        var received: [(id: Int, event: AgentStreamEvent)] = []
        try await follow(port: port, after: nil) { id, event in
            received.append((id, event))
            return received.filter { $0.event.turn == 2 && $0.event.kind == "token" }.count < 4
        }
        first.kill(SIGKILL)
        _ = try await first.waitForExit()

        let second = try ChildProcess.start("agent-crash-fixture", arguments)
        let port2 = try await second.awaitMatch("LISTENING (\\d+)")
        try await follow(port: port2, after: received.last!.id) { id, event in
            received.append((id, event))
            return event.kind != "done"
        }
        _ = try await second.awaitMatch("RESULT: ")
        try await second.stop()

        let ids = received.map(\.id)
        #expect(ids == ids.sorted() && Set(ids).count == ids.count)
        let tokens = received.filter { $0.event.kind == "token" }.map(\.event)
        for turn in [1, 2] {
            #expect(tokens.filter { $0.turn == turn }.map(\.index) == Array(0..<tokens.filter { $0.turn == turn }.count))
        }
        let answer = "It is noon and durable agents stream every token of this answer exactly once to a reader that reconnects."
        #expect(tokens.filter { $0.turn == 1 }.map(\.text).joined() == "Let me check the time first. ")
        #expect(tokens.filter { $0.turn == 2 }.map(\.text).joined() == answer)
        #expect(received.last?.event == .done(answer, turns: 2))
    }

    /// Reads the agent's events from the fixture's SSE endpoint until `body` returns false.
    private func follow(port: String, after lastID: Int?, _ body: (Int, AgentStreamEvent) -> Bool) async throws {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/agents/sse-agent/events")
        if let lastID { request.headers.add(name: "Last-Event-ID", value: String(lastID)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        #expect(response.status == .ok)
        var pending = ""
        reading: for try await chunk in response.body {
            pending += String(buffer: chunk)
            while let end = pending.range(of: "\n\n") {
                let block = pending[..<end.lowerBound]
                pending = String(pending[end.upperBound...])
                var id: Int?
                var data: String?
                for line in block.split(separator: "\n") {
                    if line.hasPrefix("id: ") { id = Int(line.dropFirst(4)) }
                    if line.hasPrefix("data: ") { data = String(line.dropFirst(6)) }
                }
                guard let id, let data else { continue }
                let event = try JSONDecoder().decode(AgentStreamEvent.self, from: Data(data.utf8))
                if !body(id, event) { break reading }
            }
        }
    }
}
