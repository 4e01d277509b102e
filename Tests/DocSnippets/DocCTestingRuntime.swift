import DBOS
import DBOSTesting
import Foundation
import Testing

// snippet: testing-runtime
@Test func bookingRecordsItsSteps() async throws {
    try await withTestRuntime(register: { try $0.register($bookTrip) }) { runtime in
        let handle = try await runtime.dbos.start($bookTrip, "LH400", 420)
        #expect(try await handle.result() == ["seat-12A-LH400", "receipt-420"])
        #expect(try await handle.steps().map(\.functionName) == ["reserveSeat", "chargeCard"])
    }
}
// end snippet

// snippet: testing-trait
let bookingWorkflows: [any WorkflowDefinition] = [$bookTrip]

@Test(.dbosRuntime { try $0.register(bookingWorkflows) })
func bookingReturnsTheSeatAndTheReceipt() async throws {
    let runtime = try #require(TestRuntime.current)
    #expect(try await runtime.dbos.run($bookTrip, "LH400", 420) == ["seat-12A-LH400", "receipt-420"])
}
// end snippet

// snippet: testing-clock
@Test func anUnansweredReportIsRejectedAfterADay() async throws {
    try await withTestRuntime(register: { try $0.register($expenseReport) }) { runtime in
        let handle = try await runtime.dbos.start($expenseReport, 120)
        await runtime.clock.waitForSleepers()          // the day-long receive has begun
        await runtime.advance(by: .seconds(86_400))
        #expect(try await handle.result() == "rejected")
    }
}
// end snippet
