import DBOS
import DBOSTesting
import Foundation
import Testing

// snippet: testing-crash
@Test func aCrashAfterTheSeatIsReservedDoesNotReserveTwice() async throws {
    try await withTestRuntime(register: { try $0.register($bookTrip) }) { runtime in
        runtime.crash(afterStep: 1, of: "trip-7")
        _ = try await runtime.dbos.start($bookTrip, "LH400", 420, options: .init(workflowID: "trip-7"))
        await runtime.waitForCrash()

        let report = try await runtime.restart()       // a new process on the same database
        #expect(report.recovered == ["trip-7"])
        let trip = try await runtime.dbos.retrieve("trip-7", as: [String].self)
        #expect(try await trip.result() == ["seat-12A-LH400", "receipt-420"])
    }
}
// end snippet

// snippet: testing-replay
@Test func theNewCodeReplaysProductionHistories() async throws {
    let checker = ReplayChecker(register: { try $0.register($bookTrip) })
    let report = try await checker.check(databaseURL: "sqlite:///tmp/production-copy.sqlite")
    #expect(report.mismatches.isEmpty, "\(report)")
}
// end snippet
