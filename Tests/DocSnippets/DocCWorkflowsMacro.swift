import DBOS
import Foundation
import Logging
import ServiceLifecycle

// snippet: workflows-macro
@Workflows enum Billing {
    @Workflow static func invoice(_ customer: String) async throws -> Int {
        try await DBOS.step("total") { customer.count * 10 }
    }

    @Workflow static func refund(_ customer: String, _ amount: Int) async throws -> Bool {
        try await DBOS.step("refund") { amount > 0 }
    }
}

func registerBilling(on dbos: DBOS) throws {
    try dbos.register(Billing.workflows)
}
// end snippet
