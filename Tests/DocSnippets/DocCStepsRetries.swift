import DBOS
import Foundation
import Logging
import ServiceLifecycle

// snippet: steps-retries
struct Quote: Codable, Sendable {
    var symbol: String
    var price: Double
}

@Step(retries: .exponential(maxAttempts: 5, initialInterval: .milliseconds(200)))
func fetchQuote(_ symbol: String) async throws -> Quote {
    Quote(symbol: symbol, price: 42)     // an HTTP call that may fail now and then
}

@Workflow func priceAlert(_ symbol: String, _ limit: Double) async throws -> Bool {
    let quote = try await fetchQuote(symbol)
    let note = try await DBOS.step("formatNote") { "\(quote.symbol) at \(quote.price)" }
    DBOS.logger.info("checked \(note)")
    return quote.price > limit
}
// end snippet
