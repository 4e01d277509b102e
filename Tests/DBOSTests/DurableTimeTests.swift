import DBOSTestSupport
import Foundation
import Testing
@testable import DBOS

@Suite struct DurableTimeTests {
    /// A recovered sleep waits until the wake-up time stored before the restart, not its
    /// duration again. The sleep is an hour long; while the runtime is down, the stored
    /// wake-up time is moved to two seconds from now (as if most of the hour had passed), so
    /// the test finishes in seconds only if the recovered sleep follows the stored row. No
    /// margin depends on how loaded the machine is.
    @Test(arguments: Backend.available)
    func sleepAfterRestartWaitsOnlyTheRemainder(backend: Backend) async throws {
        let url = backend.freshDatabaseURL()
        let counter = Counter()
        let nap = Workflow("nap") { () async throws -> String in
            _ = try await DBOS.step("before") { counter.hit("before") }
            try await DBOS.sleep(for: .seconds(3600))
            return try await DBOS.step("after") { counter.hit("after"); return "awake" }
        }
        let first = try await launchRuntime(url, nap)
        _ = try await first.start(nap, options: WorkflowOptions(workflowID: "nap-1"))
        try await eventually("the sleep to be recorded") {
            try await first.listSteps("nap-1").contains { $0.functionName == "DBOS.sleep" }
        }
        let sleepRow = try #require(try await first.listSteps("nap-1").first { $0.functionName == "DBOS.sleep" })
        let firstWakeUp = try PortableJSON.decode(Double.self, from: sleepRow.output ?? "", what: "wake-up")
        #expect(firstWakeUp > Date().timeIntervalSince1970 + 3000, "the stored wake-up is an hour away")
        await first.shutdown()   // interrupts the sleep; the workflow stays PENDING
        #expect(counter.count("after") == 0)

        let wakeUp = Date().timeIntervalSince1970 + 2
        let client = try await DBOSClient(databaseURL: url)
        _ = try await client.rawSQL("UPDATE dbos.operation_outputs SET output = \(String(wakeUp)) WHERE workflow_uuid = 'nap-1' AND function_name = 'DBOS.sleep'")
        await client.close()

        let second = try await launchRuntime(url, nap)
        try await eventually(timeout: .seconds(120), "the recovered sleep to end at the stored wake-up time") {
            try await second.getWorkflowStatus("nap-1")?.state == .success
        }
        let finishedAt = Date()
        #expect(try await second.retrieve("nap-1", as: String.self).result() == "awake")
        #expect(counter.count("before") == 1)
        #expect(counter.count("after") == 1)
        #expect(finishedAt.timeIntervalSince1970 >= wakeUp - 0.01, "woke before the stored wake-up time")
        let steps = try await second.listSteps("nap-1")
        #expect(steps.map(\.functionName) == ["before", "DBOS.sleep", "after"])
        #expect(steps[1].output == String(wakeUp), "replay keeps the stored wake-up time")
        #expect(try await second.getWorkflowStatus("nap-1")?.recoveryAttempts == 2)
        await second.shutdown()
    }

    @Test(arguments: Backend.available)
    func nowRandomAndUUIDAreCheckpointed(backend: Backend) async throws {
        struct Draws: Codable, Equatable { var time: Date; var number: Int; var id: UUID }
        let url = backend.freshDatabaseURL()
        let draw = Workflow("draw") { () async throws -> Draws in
            let draws = Draws(time: try await DBOS.now(), number: try await DBOS.random(in: 0...1_000_000), id: try await DBOS.uuid())
            try await DBOS.sleep(for: .seconds(30))
            return draws
        }
        let first = try await launchRuntime(url, draw)
        _ = try await first.start(draw, options: WorkflowOptions(workflowID: "draw-1"))
        try await eventually("the draws to be recorded") { try await first.listSteps("draw-1").count == 4 }
        let recorded = try await first.listSteps("draw-1")
        #expect(recorded.map(\.functionName) == ["DBOS.now", "DBOS.random", "DBOS.uuid", "DBOS.sleep"])
        await first.shutdown()
        // Pretend the sleep is over, then recover: the draws come back identical.
        let client = try await DBOSClient(databaseURL: url)
        let now = String(Date().timeIntervalSince1970)
        _ = try await client.rawSQL("UPDATE dbos.operation_outputs SET output = \(now) WHERE workflow_uuid = 'draw-1' AND function_name = 'DBOS.sleep'")
        await client.close()
        let second = try await launchRuntime(url, draw)
        let draws = try await second.retrieve("draw-1", as: Draws.self).result()
        #expect(try PortableJSON.encode(draws.time) == recorded[0].output)
        #expect(String(draws.number) == recorded[1].output)
        #expect("\"\(draws.id.uuidString.lowercased())\"" == recorded[2].output)
        await second.shutdown()
    }
}
