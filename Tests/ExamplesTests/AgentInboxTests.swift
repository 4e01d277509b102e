@testable import DBOS
import DBOSTestSupport
import Foundation
import Testing

/// The agent-inbox story over real HTTP: agents wait for approval, the service is killed
/// with SIGKILL and restarted, the agents are still waiting with their deadlines, and they
/// finish when answered.
@Suite struct AgentInboxTests {
    /// The fields of `GET /agents` the test reads.
    struct Agent: Decodable {
        var id: String
        var workflowStatus: String
        var state: String
        var waitingForHuman: Bool
        var proposal: String?
        var deadline: Double?
        var secondsLeft: Double?
        var result: String?
    }

    struct Created: Decodable { var id: String }

    /// A running service and its base URL.
    struct Service {
        let child: ChildProcess
        let base: String

        static func start(_ database: String, in directory: URL) async throws -> Service {
            let child = try ChildProcess.start("agent-inbox", ["--database-url", database, "--port", "0"], in: directory)
            let port = try await child.awaitMatch(#"listening on http://127\.0\.0\.1:(\d+)"#)
            return Service(child: child, base: "http://127.0.0.1:\(port)")
        }

        func agents() async throws -> [String: Agent] {
            let list = try await HTTP.get("\(base)/agents", as: [Agent].self)
            return Dictionary(uniqueKeysWithValues: list.map { ($0.id, $0) })
        }

        func create(_ task: String, waitSeconds: Double) async throws -> String {
            let reply = try await HTTP.request("POST", "\(base)/agents", json: #"{"task":"\#(task)","waitSeconds":\#(waitSeconds)}"#)
            guard reply.status == 201 else { throw TestFailure("POST /agents answered \(reply.status): \(reply.body)") }
            return try JSONDecoder().decode(Created.self, from: Data(reply.body.utf8)).id
        }

        func respond(_ id: String, approved: Bool) async throws -> HTTP.Reply {
            try await HTTP.request("POST", "\(base)/agents/\(id)/respond", json: #"{"approved":\#(approved),"note":"from the test"}"#)
        }
    }

    @Test(arguments: Backend.available)
    func waitingAgentsSurviveKillNineAndFinishWhenAnswered(backend: Backend) async throws {
        let directory = try ScratchDirectory.fresh("agent-inbox")
        let database = try await backend.freshDatabaseURL("inbox")
        let first = try await Service.start(database, in: directory)

        let approved = try await first.create("Renew the TLS certificates", waitSeconds: 300)
        let rejected = try await first.create("Delete the staging cluster", waitSeconds: 300)
        let expiring = try await first.create("Rotate the API keys", waitSeconds: 300)
        try await eventually("three agents waiting for a human") {
            let agents = try await first.agents()
            return [approved, rejected, expiring].allSatisfy { agents[$0]?.waitingForHuman == true }
        }
        let before = try await first.agents()
        let page = try await HTTP.request("GET", "\(first.base)/")
        #expect(page.status == 200)
        for id in [approved, rejected] {
            #expect(page.body.contains("id=\"\(id)\""), "the inbox page shows waiting agent \(id)")
            #expect(page.body.contains("data-agent=\"\(id)\" data-approved=\"true\">Approve</button>"))
        }
        #expect(page.body.contains("Renew the TLS certificates") && page.body.contains("Waiting for you (3)"))

        first.child.kill(SIGKILL)
        #expect(try await first.child.waitForExit() == 128 + SIGKILL)
        // While the service is down, one agent's wait runs out: its stored deadline moves into
        // the past (as if the five minutes had gone by), and the restarted service finds it expired.
        try await moveStoredDeadlineIntoThePast(of: expiring, in: database)

        let second = try await Service.start(database, in: directory)
        let after = try await second.agents()
        for id in [approved, rejected] {
            let agent = try #require(after[id])
            #expect(agent.waitingForHuman && agent.workflowStatus == "PENDING", "\(id) still waits after the restart")
            #expect(agent.deadline == before[id]?.deadline, "the deadline survived the restart")
            #expect((agent.secondsLeft ?? 0) > 250 && (agent.secondsLeft ?? 999) < 300)
        }

        #expect(try await second.respond(approved, approved: true).status == 200)
        #expect(try await second.respond(rejected, approved: false).status == 200)
        #expect(try await second.respond("agent-nonexistent", approved: true).status == 404)
        try await eventually("the answered agents to finish and the short one to expire") {
            let agents = try await second.agents()
            return agents[approved]?.workflowStatus == "SUCCESS" && agents[rejected]?.workflowStatus == "SUCCESS"
                && agents[expiring]?.workflowStatus == "SUCCESS"
        }
        let finished = try await second.agents()
        #expect(finished[approved]?.state == "approved" && finished[approved]?.result?.hasPrefix("Done: Renew the TLS certificates") == true)
        #expect(finished[rejected]?.state == "rejected" && finished[rejected]?.result == nil)
        #expect(finished[expiring]?.state == "expired")
        #expect(try await second.respond(approved, approved: true).status == 409, "a finished agent takes no more answers")

        second.child.kill(SIGTERM)
        #expect(try await second.child.waitForExit() == 0, "SIGTERM shuts the service down cleanly: \(second.child.output)")
    }

    /// Rewrites the deadline a workflow's wait stored (its `DBOS.sleep` record) to a minute ago.
    private func moveStoredDeadlineIntoThePast(of workflowID: String, in database: String) async throws {
        let client = try await DBOSClient(databaseURL: database)
        let system = try #require(client.systemDatabase as? SQLSystemDatabase)
        let past = String(Date().timeIntervalSince1970 - 60)
        let moved = try await system.driver.write("""
            UPDATE \(system.tables.operations) SET output = \(past)
            WHERE workflow_uuid = \(workflowID) AND function_name = 'DBOS.sleep' RETURNING function_id
            """)
        await client.close()
        #expect(moved.count == 1, "the agent's wait stored one deadline")
    }

    /// Three agents wait for approval (one-hour deadline) on PostgreSQL; the server stops for
    /// five seconds and starts again. The service stays up, the agents still wait with the
    /// deadlines they had, and approving them completes them.
    @Test(.enabled(if: PostgresServer.isAvailable, "PostgreSQL binaries not installed (scripts/test.sh installs them)"),
          .timeLimit(.minutes(5)))
    func waitingAgentsSurviveAPostgresOutage() async throws {
        let server = try await PostgresServer.start()
        do {
            try await rideOutAnOutage(on: server)
            await server.stop()
        } catch {
            await server.stop()
            throw error
        }
    }

    private func rideOutAnOutage(on server: PostgresServer) async throws {
        let directory = try ScratchDirectory.fresh("agent-inbox-outage")
        let service = try await Service.start(server.freshDatabaseURL("inbox_outage"), in: directory)
        let tasks = ["Renew the TLS certificates", "Rotate the API keys", "Resize the cache cluster"]
        var ids: [String] = []
        for task in tasks { ids.append(try await service.create(task, waitSeconds: 3600)) }
        try await eventually("three agents waiting for a human") {
            let agents = try await service.agents()
            return ids.allSatisfy { agents[$0]?.waitingForHuman == true }
        }
        let before = try await service.agents()

        try await server.halt(.fast)
        try await Task.sleep(for: .seconds(5))   // the outage itself, not a synchronization
        #expect(service.child.isRunning, "the service stays up while its database is down")
        try await server.resume()

        let after = try await service.agents()
        for id in ids {
            let agent = try #require(after[id])
            #expect(agent.waitingForHuman && agent.workflowStatus == "PENDING", "\(id) still waits after the outage")
            #expect(agent.deadline != nil && agent.deadline == before[id]?.deadline, "the deadline survived the outage")
            #expect((agent.secondsLeft ?? 0) > 3500)
        }
        for id in ids { #expect(try await service.respond(id, approved: true).status == 200) }
        try await eventually("the approved agents to finish") {
            let agents = try await service.agents()
            return ids.allSatisfy { agents[$0]?.workflowStatus == "SUCCESS" }
        }
        let finished = try await service.agents()
        for (id, task) in zip(ids, tasks) {
            #expect(finished[id]?.state == "approved" && finished[id]?.result?.hasPrefix("Done: \(task)") == true)
        }
        service.child.kill(SIGTERM)
        #expect(try await service.child.waitForExit() == 0, "SIGTERM shuts the service down cleanly: \(service.child.output)")
    }
}
