import DBOSTestSupport
import Foundation
import Testing
@testable import DBOS

/// The aggregate reads for operators: `queueStatistics()` and `workflowCounts()`, on a runtime
/// and on a client, from counts in the database (never from rows in memory).
@Suite struct StatisticsTests {
    @Test(arguments: Backend.available)
    func queueStatisticsAndWorkflowCounts(backend: Backend) async throws {
        let url = try await backend.freshDatabaseURL()
        let greet = Workflow("statsGreet") { (name: String) async throws -> String in "hi \(name)" }
        let fail = Workflow("statsFail") { () async throws -> String in throw DBOSError.invalidArgument("no") }
        // Registered (its limits stored) but nothing waits on it.
        let limited = Queue("stats-limited", workerConcurrency: 1, concurrency: 2,
                            rateLimit: RateLimit(limit: 5, period: .seconds(10)), priorityEnabled: true)
        try await withRuntime(url, greet, fail, queues: [limited]) { dbos in
            for index in 1...4 { _ = try await dbos.run(greet, "w\(index)") }
            await #expect(throws: (any Error).self) { _ = try await dbos.run(fail) }

            // No process serves "stats-waiting": what a client enqueues there stays ENQUEUED.
            let client = try await DBOSClient(databaseURL: url)
            let before = Date(timeIntervalSinceNow: -1)
            for index in 1...3 {
                _ = try await client.enqueue(workflowName: "statsGreet", queue: "stats-waiting", "q\(index)",
                                             options: EnqueueOptions(workflowID: "stats-q\(index)"))
            }
            let oldest = try #require(try await client.getWorkflowStatus("stats-q1")).createdAt

            for reader in [dbos as any WorkflowManaging, client] {
                let queues = try await reader.queueStatistics()
                let waiting = try #require(queues.first { $0.name == "stats-waiting" })
                #expect(waiting.enqueued == 3 && waiting.running == 0)
                #expect(waiting.limits == nil)
                let oldestSeen = try #require(waiting.oldestEnqueuedAt)
                #expect(abs(oldestSeen.timeIntervalSince(oldest)) < 0.002 && oldestSeen > before)

                let registered = try #require(queues.first { $0.name == "stats-limited" })
                #expect(registered.enqueued == 0 && registered.running == 0 && registered.oldestEnqueuedAt == nil)
                #expect(registered.limits == QueueStatistics.Limits(concurrency: 2, workerConcurrency: 1, rateLimitMax: 5,
                                                                    rateLimitPeriodSeconds: 10, priorityEnabled: true,
                                                                    partitioned: false))

                let counts = try await reader.workflowCounts()
                #expect(counts[.success] == 4 && counts[.error] == 1 && counts[.enqueued] == 3)
                #expect(counts[.pending] == nil)
            }
            await client.close()
        }
    }
}
