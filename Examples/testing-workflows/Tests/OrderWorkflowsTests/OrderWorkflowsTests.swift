import DBOS
import DBOSTesting
import Foundation
import OrderWorkflows
import Testing

@Suite struct OrderWorkflowsTests {
    /// A refund request nobody answers expires after a day. The test's clock jumps the day:
    /// the test takes milliseconds and its outcome never depends on the machine's load.
    @Test func aRefundNobodyAnswersExpiresAfterADay() async throws {
        try await withTestRuntime(register: { try $0.register(orderWorkflows) }) { runtime in
            let handle = try await runtime.dbos.start($requestRefund, "order-17")
            await runtime.clock.waitForSleepers()              // the day-long wait has begun
            await runtime.advance(by: .seconds(23 * 3600))
            #expect(try await handle.status().state == .pending, "an hour before its deadline it still waits")
            await runtime.advance(by: .seconds(3600))
            #expect(try await handle.result() == .expired)
        }
    }

    /// An answer within the day approves the refund. (The `.dbosRuntime` trait launches the
    /// test's runtime and shuts it down; the test reads it from `TestRuntime.current`.)
    @Test(.dbosRuntime { try $0.register(orderWorkflows) })
    func anApprovalWithinTheDayApproves() async throws {
        let runtime = try #require(TestRuntime.current)
        let handle = try await runtime.dbos.start($requestRefund, "order-18")
        await runtime.clock.waitForSleepers()
        await runtime.advance(by: .seconds(12 * 3600))
        try await runtime.dbos.send("approve", to: handle.workflowID, topic: "decision")
        #expect(try await handle.result() == .approved)
    }

    /// The process dies right after the card is charged (step 2). The next process resumes
    /// the order at step 3: the warehouse and the payment service were called once each.
    @Test func aCrashAfterTheChargeResumesAtShipping() async throws {
        try await withTestRuntime(register: { try $0.register(orderWorkflows) }) { runtime in
            runtime.crash(afterStep: 2, of: "order-19")
            _ = try await runtime.dbos.start($processOrder, "armchair", options: WorkflowOptions(workflowID: "order-19"))
            await runtime.waitForCrash()
            // The crashed runtime is closed; a client reads what it left in the database.
            let client = try await DBOSClient(databaseURL: runtime.databaseURL)
            #expect(try await client.getWorkflowStatus("order-19")?.state == .pending)
            #expect(try await client.listSteps("order-19").map(\.functionName) == ["reserveStock", "chargeCard"])
            await client.close()

            try await runtime.restart()                           // recovers order-19
            let result = try await runtime.dbos.retrieve("order-19", as: String.self).result()
            #expect(result == "reserved armchair, charged for armchair, shipped armchair")
        }
        let calls = ["warehouse", "payments", "carrier"].map { outsideWorld.calls(to: $0, about: "armchair") }
        #expect(calls == [1, 1, 1], "every service was called exactly once")
    }

    /// Before deploying a change to `processOrder`, replay the histories recorded by the
    /// current code with the new code. Charging before reserving would break every order
    /// recorded the old way; the unchanged code replays them all.
    @Test func theReplayCheckCatchesAReorderedWorkflow() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("orders-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let recorded = "sqlite://" + folder.appendingPathComponent("recorded.sqlite").path
        try await withTestRuntime(database: .url(recorded), register: { try $0.register(orderWorkflows) }) { runtime in
            for item in ["lamp", "desk"] { _ = try await runtime.dbos.run($processOrder, item) }
        }

        let unchanged = try await ReplayChecker(register: { try $0.register(orderWorkflows) }).check(databaseURL: recorded)
        #expect(unchanged.checked == 2)
        #expect(unchanged.mismatches.isEmpty, "\(unchanged)")

        let upgraded = try await ReplayChecker(register: { try $0.register($chargeFirst) }).check(databaseURL: recorded)
        #expect(upgraded.mismatches.count == 2, "\(upgraded)")
        let mismatch = try #require(upgraded.mismatches.first)
        #expect(mismatch.functionID == 1)
        #expect(mismatch.recorded == "reserveStock")
        #expect(mismatch.requested == "chargeCard")
    }
}

/// The change under review: the same workflow (same name), now charging before it reserves.
@Workflow(name: "processOrder") func chargeFirst(_ item: String) async throws -> String {
    let payment = try await chargeCard(item)
    let reservation = try await reserveStock(item)
    let shipment = try await shipOrder(item)
    return [reservation, payment, shipment].joined(separator: ", ")
}
