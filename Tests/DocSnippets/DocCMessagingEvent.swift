import DBOS
import Foundation
import Logging
import ServiceLifecycle

// snippet: messaging-event
func reportStatus(_ reportID: String, on dbos: DBOS) async throws -> String {
    try await dbos.event("status", of: reportID, as: String.self, timeout: .seconds(5)) ?? "unknown"
}
// end snippet
