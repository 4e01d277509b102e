// snippet: getting-started-workflow
import DBOS

@Step func reserveSeat(_ flight: String) async throws -> String {
    "seat-12A-\(flight)"        // call your booking service here
}

@Step func chargeCard(_ amount: Int) async throws -> String {
    "receipt-\(amount)"         // call your payment provider here
}

@Workflow func bookTrip(_ flight: String, _ amount: Int) async throws -> [String] {
    let seat = try await reserveSeat(flight)
    let receipt = try await chargeCard(amount)
    return [seat, receipt]
}
// end snippet
