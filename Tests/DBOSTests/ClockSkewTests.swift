import DBOSTestSupport
import Foundation
import Testing
@testable import DBOS

/// Hosts whose wall clocks disagree share one PostgreSQL server: executor leases and rate-limit
/// windows are compared on the database's clock (issue 12, item 8). A worker process runs under
/// libfaketime with its wall clock an hour off. PostgreSQL only: SQLite's processes share one
/// host, and so one clock.
@Suite(.timeLimit(.minutes(5)), .serialized) struct ClockSkewTests {
    static let canSkewClocks = Backend.available.contains(.postgres) && Drain.libfaketime != nil

    /// A worker whose clock runs an hour fast does not take over a live peer's workflow, and its
    /// own workflow is taken over within seconds once it dies (not an hour later).
    @Test(.enabled(if: canSkewClocks, "needs PostgreSQL and faketime (scripts/test.sh installs both)"))
    func leasesAreComparedOnTheDatabasesClock() async throws {
        let drain = try await Drain(backend: .postgres, count: 1)
        defer { drain.killWorkers() }
        let slowSteps = ["--lease-ms", "1000", "--worker-concurrency", "1", "--step-ms", "120000"]
        let owner = try drain.startWorker(0, slowSteps)
        try await eventually(timeout: .seconds(30), "the first worker to run d0") { drain.bodyRuns() == ["d0"] }
        let fast = try drain.startWorker(1, slowSteps, clockOffset: "+1h")
        _ = try await fast.awaitMatch("READY")
        _ = try await drain.client.enqueue(workflowName: "drainWork", queue: "drain", "d1", options: EnqueueOptions(workflowID: "d1"))
        try await eventually(timeout: .seconds(30), "the fast worker to run d1") { Set(drain.bodyRuns()) == ["d0", "d1"] }

        var renewals: Set<String> = []
        try await eventually(timeout: .seconds(30), "the fast worker to renew its lease three times (a takeover pass after each)") {
            if let value = try await drain.lease(of: "worker-1") { renewals.insert(value) }
            return renewals.count >= 3
        }
        let held = try #require(try await drain.client.getWorkflowStatus("d0"))
        #expect(held.state == .pending && held.executorID == "worker-0" && held.recoveryAttempts == 1,
                "the live worker keeps its workflow: \(held.state) on \(held.executorID ?? "-")")

        fast.kill()
        _ = try await fast.waitForExit()
        let successor = try drain.startWorker(2, ["--lease-ms", "1000", "--step-ms", "5"])
        try await eventually(timeout: .seconds(30), "the dead fast worker's workflow to be taken over") {
            try await drain.client.getWorkflowStatus("d1")?.state == .success
        }
        #expect(lines(of: drain.counterFile(2)) == ["d1"])
        #expect(try await drain.client.getWorkflowStatus("d0")?.state == .pending, "the live worker still runs d0")
        owner.kill()
        _ = try await owner.waitForExit()
        try await successor.stop()
        await drain.client.close()
    }

    /// Starts made by a worker whose clock runs an hour fast do not hold a rate-limited queue
    /// shut for an hour: a worker with a right clock keeps draining at the limit's pace.
    @Test(.enabled(if: canSkewClocks, "needs PostgreSQL and faketime (scripts/test.sh installs both)"))
    func rateLimitWindowsAreMeasuredOnTheDatabasesClock() async throws {
        let drain = try await Drain(backend: .postgres, count: 6)
        defer { drain.killWorkers() }
        let limit = ["--rate-limit", "2/2000", "--step-ms", "5"]
        let fast = try drain.startWorker(0, limit, clockOffset: "+1h")
        try await drain.waitUntil(succeeded: 2)
        fast.kill()
        _ = try await fast.waitForExit()

        let honest = try drain.startWorker(1, limit)
        try await drain.waitUntilAllSucceeded()
        #expect(!lines(of: drain.counterFile(1)).isEmpty, "the worker with a right clock drained the rest")
        try await honest.stop()
        await drain.client.close()
    }
}

extension Drain {
    /// Kills every worker of this drain still running (a failed test must not leave any behind).
    func killWorkers() {
        _ = try? ChildProcess.start(command: ["pkill", "-9", "-f", directory.path])
    }

    /// The stored expiry of `executor`'s lease, if it has one.
    func lease(of executor: String) async throws -> String? {
        try await client.rawSQL("""
            SELECT value FROM dbos.event_dispatch_kv WHERE service_name = 'dbos-swift.executor-lease' AND key = \(executor)
            """).first?.string("value")
    }
}
