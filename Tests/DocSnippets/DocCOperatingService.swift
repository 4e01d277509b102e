import DBOS
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

// snippet: operating-service
func serve(server: any Service, logger: Logger) async throws {
    let dbos = try DBOS(config: .init(name: "shop"))
    try dbos.register($bookTrip)
    let group = ServiceGroup(services: [dbos, server], gracefulShutdownSignals: [.sigterm], logger: logger)
    try await group.run()
}
// end snippet
