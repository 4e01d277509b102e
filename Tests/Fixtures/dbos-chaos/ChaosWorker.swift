import DBOS
import Foundation
import Logging

/// `dbos-chaos worker --database-url URL --executor-id ID --ledger FILE`: serves the chaos
/// queue until killed. Prints READY once launched.
enum ChaosWorker {
    static func run(databaseURL: String, executorID: String) async throws {
        var config = DBOSConfig(name: "chaos", systemDatabaseURL: databaseURL, executorID: executorID, applicationVersion: "chaos-v1")
        config.logger.logLevel = .warning
        let dbos = try DBOS(config: config)
        try dbos.register(ChaosWorkload.order)
        try dbos.register(ChaosWorkload.child)
        try dbos.register(queues: ChaosWorkload.queue)
        try await dbos.launch()
        print("READY")
        fflush(nil)
        while true { try await Task.sleep(for: .seconds(3600)) }
    }
}
