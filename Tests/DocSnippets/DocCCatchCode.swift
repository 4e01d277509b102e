import DBOS
import Foundation
import Logging
import ServiceLifecycle

// snippet: catch-code
func waitForBooking(_ handle: WorkflowHandle<[String]>) async throws -> [String]? {
    do {
        return try await handle.result()
    } catch DBOSError.Code.workflowCancelled {
        return nil
    }
}
// end snippet
