import DBOS
import Foundation
import Logging
import ServiceLifecycle

// snippet: upgrading-deprecate
// The same workflow, one deployment later.
@Workflow(name: "fulfil") func fulfilLater(_ order: String) async throws -> Bool {
    try await DBOS.deprecatePatch("charge-before-reserve")
    let charged = try await chargeCustomer(order)
    return try await reserveStock(order) && charged
}
// end snippet
