import DBOS
import Foundation
import Logging
import ServiceLifecycle

// snippet: getting-started-closure
let bookTripByHand = Workflow("bookTripByHand") { (flight: String, amount: Int) async throws -> [String] in
    let seat = try await DBOS.step("reserveSeat") { "seat-12A-\(flight)" }
    let receipt = try await DBOS.step("chargeCard") { "receipt-\(amount)" }
    return [seat, receipt]
}
// end snippet
