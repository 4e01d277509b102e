import DBOSTestSupport
import Foundation
import Testing
@testable import DBOS

@Suite struct ConcurrentStepsTests {
    @Test(arguments: Backend.available)
    func startStepReservesIDsInCallOrder(backend: Backend) async throws {
        // Steps finish in reverse order of their start; IDs still follow the call order. "slow"
        // waits until the test has seen "fast" recorded, so it is recorded after it.
        let fastRecorded = Latch<Void>()
        let fanOut = Workflow("fanOut") { () async throws -> [String] in
            let slow = try DBOS.startStep("slow") { _ = await fastRecorded.value; return "slow" }
            let medium = try DBOS.startStep("medium") { try await Task.sleep(for: .milliseconds(60)); return "medium" }
            let fast = try DBOS.startStep("fast") { "fast" }
            let mapped = try await DBOS.map([3, 2, 1], step: "item") { n in
                try await Task.sleep(for: .milliseconds(20 * n))
                return "item\(n)"
            }
            return [try await slow.value, try await medium.value, try await fast.value] + mapped
        }
        try await withRuntime(try await backend.freshDatabaseURL(), fanOut) { dbos in
            let handle = try await dbos.start(fanOut, options: WorkflowOptions(workflowID: "fan"))
            try await eventually("the fast step to be recorded") { try await dbos.listSteps("fan").contains { $0.functionID == 3 } }
            fastRecorded.open(())
            #expect(try await handle.result() == ["slow", "medium", "fast", "item3", "item2", "item1"])
            let steps = try await dbos.listSteps("fan")
            #expect(steps.map(\.functionID) == [1, 2, 3, 4, 5, 6])
            #expect(steps.map(\.functionName) == ["slow", "medium", "fast", "item", "item", "item"])
            #expect(steps.map(\.output) == [#""slow""#, #""medium""#, #""fast""#, #""item3""#, #""item2""#, #""item1""#])
            // Completion order differed from ID order.
            let completed = steps.prefix(3).map { $0.completedAt! }
            #expect(completed[0] >= completed[2], "slow was recorded after fast")
        }
    }
}
