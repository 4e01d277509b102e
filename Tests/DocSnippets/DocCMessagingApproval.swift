import DBOS
import Foundation
import Logging
import ServiceLifecycle

// snippet: messaging-approval
@Workflow func expenseReport(_ amount: Int) async throws -> String {
    try await DBOS.setEvent("status", to: "waiting for approval")
    // Wait up to a day. The deadline is recorded, so a restart waits only for what is left.
    let decision = try await DBOS.receive(String.self, topic: "approval", timeout: .seconds(86_400))
    try await DBOS.setEvent("status", to: decision ?? "timed out")
    return decision ?? "rejected"
}

func approve(_ reportID: String, on dbos: DBOS) async throws {
    try await dbos.send("approved", to: reportID, topic: "approval")
}
// end snippet
