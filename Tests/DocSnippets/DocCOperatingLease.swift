import DBOS
import Foundation
import Logging
import ServiceLifecycle

// snippet: operating-lease
func makeWorker(id: String) throws -> DBOS {
    try DBOS(config: .init(name: "shop",
                           systemDatabaseURL: "postgresql://shop@db.internal:5432/shop",
                           executorID: id,
                           executorLease: .seconds(10)))
}
// end snippet
