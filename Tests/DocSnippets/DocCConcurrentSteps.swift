import DBOS
import Foundation
import Logging
import ServiceLifecycle

// snippet: concurrent-steps
@Workflow func compareSuppliers(_ part: String) async throws -> [Int] {
    let first = try DBOS.startStep("askAcme") { part.count * 3 }
    let second = try DBOS.startStep("askGlobex") { part.count * 2 }
    let all = try await DBOS.map(["a", "b", "c"], step: "askSmallShop") { shop in shop.count }
    return try await [first.value, second.value] + all
}
// end snippet
