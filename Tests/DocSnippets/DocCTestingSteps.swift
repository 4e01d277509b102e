import DBOS
import Foundation
import Logging
import ServiceLifecycle

// snippet: testing-steps
func checkBookingSteps() async throws {
    try await withTestRuntime([$bookTrip]) { dbos in
        let handle = try await dbos.start($bookTrip, "LH400", 420, options: .init(workflowID: "trip-test"))
        let booking = try await handle.result()
        precondition(booking == ["seat-12A-LH400", "receipt-420"])
        let names = try await handle.steps().map(\.functionName)
        precondition(names == ["reserveSeat", "chargeCard"])
    }
}
// end snippet
