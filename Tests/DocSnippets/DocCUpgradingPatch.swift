import DBOS
import Foundation
import Logging
import ServiceLifecycle

// snippet: upgrading-patch
@Step func reserveStock(_ order: String) async throws -> Bool { true }
@Step func chargeCustomer(_ order: String) async throws -> Bool { true }

@Workflow func fulfil(_ order: String) async throws -> Bool {
    if try await DBOS.patch("charge-before-reserve") {
        // New code: charge first.
        let charged = try await chargeCustomer(order)
        return try await reserveStock(order) && charged
    } else {
        // Old code, kept for workflows that started before the change.
        let reserved = try await reserveStock(order)
        return try await chargeCustomer(order) && reserved
    }
}
// end snippet
