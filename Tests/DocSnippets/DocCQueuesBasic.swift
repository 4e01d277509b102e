import DBOS
import Foundation
import Logging
import ServiceLifecycle

// snippet: queues-basic
let indexing = Queue("indexing", workerConcurrency: 4, concurrency: 20,
                     rateLimit: RateLimit(limit: 100, period: .seconds(60)))

@Workflow func indexURL(_ url: String) async throws -> Int {
    try await DBOS.step("fetch") { url.count }
}

func enqueueIndexing(_ urls: [String], on dbos: DBOS) async throws -> [Int] {
    var handles: [WorkflowHandle<Int>] = []
    for url in urls {
        // One active workflow per URL: a second enqueue returns the first one's handle.
        handles.append(try await dbos.enqueue($indexURL, url, on: indexing,
                                              options: .init(deduplicationID: url, onDuplicate: .returnExisting)))
    }
    var pages: [Int] = []
    for handle in handles { pages.append(try await handle.result()) }
    return pages
}
// end snippet
