import DBOSTestSupport
import Foundation
import Synchronization
import Testing
@testable import DBOS

/// One PostgreSQL queue served by this library and by DBOS Python (issue 12, item 18). DBOS
/// Python's claimer does not take this library's turns; it locks the rows it claims. A claim of
/// a queue with a shared budget must not pass over them: it backs off, as DBOS's own claimers do.
/// PostgreSQL only: SQLite has one writer, so no claim is ever seen half-done.
@Suite(.timeLimit(.minutes(5))) struct MixedFleetTests {
    /// A foreign claimer (psql, standing in for DBOS Python mid-claim) holds the head row of a
    /// queue with global concurrency 1 for 3 seconds: the workflow behind it does not jump the
    /// queue; both run in order once the lock is released.
    @Test(.enabled(if: Backend.available.contains(.postgres), "needs PostgreSQL (scripts/test.sh starts one)"))
    func aClaimDoesNotPassOverRowsAnotherClaimerHolds() async throws {
        let url = try await Backend.postgres.freshDatabaseURL("fleet")
        let order = StartOrder()
        let work = Workflow("fleetWork") { (label: String) async throws -> String in
            order.started(label)
            return label
        }
        let client = try await DBOSClient(databaseURL: url)
        _ = try await client.migrate()
        for label in ["q0", "q1"] {
            _ = try await client.enqueue(workflowName: "fleetWork", queue: "fleet", label, options: EnqueueOptions(workflowID: label))
        }
        let holder = try ChildProcess.start(command: [
            "psql", "-X", "-1", "-d", url,
            "-c", "SELECT workflow_uuid FROM dbos.workflow_status WHERE workflow_uuid = 'q0' FOR UPDATE",
            "-c", #"\echo LOCKED"#, "-c", "SELECT pg_sleep(3)",
        ])
        _ = try await holder.awaitMatch("LOCKED")
        try await withRuntime(url, work, queues: [Queue("fleet", concurrency: 1, pollingInterval: .milliseconds(50))]) { (dbos: DBOS) async throws in
            #expect(try await holder.waitForExit() == 0)
            for label in ["q0", "q1"] { #expect(try await dbos.retrieve(label, as: String.self).result() == label) }
            #expect(order.labels == ["q0", "q1"], "the queue's order held while its head was locked")
        }
        await client.close()
    }
}

/// The order in which workflows started.
final class StartOrder: Sendable {
    private let list = Mutex<[String]>([])
    func started(_ label: String) { list.withLock { $0.append(label) } }
    var labels: [String] { list.withLock { $0 } }
}
