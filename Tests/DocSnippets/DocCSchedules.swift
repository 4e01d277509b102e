import DBOS
import Foundation
import Logging
import ServiceLifecycle

// snippet: schedules
let nightlyReport = Workflow("nightlyReport") { (tick: Date, team: String) async throws -> Int in
    try await DBOS.step("countOpenTickets") { team.count }
}

func scheduleReports(on dbos: DBOS) throws {
    try dbos.register(nightlyReport)
    // Every day at 02:00 UTC. Six fields: the first is seconds.
    try dbos.schedule("nightly-report", cron: "0 0 2 * * *", workflow: nightlyReport, context: "infra")
}
// end snippet
