import DBOS
import Foundation
import Logging
import ServiceLifecycle

// snippet: interop-client
func enqueueFromSwift() async throws {
    let client = try await DBOSClient(databaseURL: "postgresql://user:password@host:5432/app")
    let workflowID = try await client.enqueue(workflowName: "report_py", queue: "reports", "2026-11")
    let summary = try await client.result(of: workflowID, as: String.self)
    print(summary)
    await client.close()
}
// end snippet
