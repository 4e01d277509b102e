import DBOSTestSupport
import Foundation
import MetricsTestKit
import Testing
@testable import DBOS

/// The system database going away under a running workload: workflows wait for it and
/// continue, none fails, and nothing is recorded twice.
@Suite(.timeLimit(.minutes(5))) struct DatabaseOutageTests {
    /// 96 workflows of 20 steps (64 started, 32 from a queue) in flight while PostgreSQL stops (`-m fast`: clients are
    /// disconnected; `-m immediate`: the server aborts and recovers from its log) and starts
    /// again. Every workflow ends SUCCESS with its output, every step is recorded once, and no
    /// step body runs twice (the process did not die: only writes were retried).
    @Test(.enabled(if: PostgresServer.isAvailable, "PostgreSQL binaries not installed (scripts/test.sh installs them)"),
          arguments: PostgresServer.ShutdownMode.allCases)
    func workflowsRideOutAPostgresRestart(mode: PostgresServer.ShutdownMode) async throws {
        let server = try await PostgresServer.start()
        do {
            try await rideOut(mode, on: server)
            await server.stop()
        } catch {
            await server.stop()
            throw error
        }
    }

    private func rideOut(_ mode: PostgresServer.ShutdownMode, on server: PostgresServer) async throws {
        let url = server.freshDatabaseURL("outage")
        let counter = Counter()
        let steps = 20
        let workflow = Workflow("twentySteps") { (index: Int) async throws -> Int in
            var sum = 0
            for step in 1...steps {
                sum += try await DBOS.step("step\(step)") {
                    counter.hit("\(index)-\(step)")
                    counter.hit("bodies")
                    try await Task.sleep(for: .milliseconds(Int.random(in: 5...25)))
                    return step
                }
            }
            return index * 1000 + sum
        }
        let queue = Queue("outage-queue", workerConcurrency: 16, pollingInterval: .milliseconds(50))
        let dbos = try DBOS(config: DBOSConfig(name: "outage", systemDatabaseURL: url, applicationVersion: "v1"))
        try dbos.register(workflow)
        try dbos.register(queues: queue)
        try await dbos.launch()

        // 64 started directly, 32 through a queue (claimed 16 at a time, so claims straddle the outage).
        let count = 64, queued = 32
        var handles = try await (0..<count).asyncMap { index in
            try await dbos.start(workflow, index, options: WorkflowOptions(workflowID: "outage-\(index)"))
        }
        handles += try await (count..<count + queued).asyncMap { index in
            try await dbos.enqueue(workflow, index, on: queue, options: EnqueueOptions(workflowID: "outage-\(index)"))
        }
        // Stop the server once a third of the steps ran: every workflow is mid-way.
        try await eventually(timeout: .seconds(60), "a third of the steps to run") { counter.count("bodies") >= count * steps / 3 }
        try await server.halt(mode)
        let atHalt = counter.count("bodies")
        try await server.resume()

        var outputs: [Int] = []
        for handle in handles { outputs.append(try await handle.result()) }
        #expect(outputs == (0..<count + queued).map { $0 * 1000 + (1...steps).reduce(0, +) })
        #expect(atHalt < (count + queued) * steps, "the outage happened mid-run")

        let statuses = try await dbos.listWorkflows(ListWorkflowsFilter(name: "twentySteps"))
        #expect(statuses.count == count + queued && statuses.allSatisfy { $0.state == .success }, "none ERROR, none PENDING")
        #expect(statuses.filter { $0.queueName == "outage-queue" }.allSatisfy { $0.recoveryAttempts == 1 }, "each queued workflow claimed once")
        for index in [0, count / 2, count - 1, count + queued - 1] {
            let recorded = try await dbos.listSteps("outage-\(index)")
            #expect(recorded.map(\.functionID) == Array(1...steps), "each step recorded once")
        }
        let reruns = (0..<count + queued).flatMap { index in (1...steps).map { counter.count("\(index)-\($0)") } }.filter { $0 != 1 }
        #expect(reruns.isEmpty, "no step body ran twice: \(reruns.count) did")
        await dbos.shutdown()
    }

    /// Another process holds SQLite's write lock for 4 seconds, longer than the runtime's busy
    /// timeout (1 second here; 30 by default): the workflow's writes wait and retry, and it
    /// completes once the lock is released.
    @Test func aSQLiteWriteLockHeldPastTheBusyTimeoutDelaysButDoesNotFail() async throws {
        let url = try await Backend.sqlite.freshDatabaseURL("locked")
        let path = String(url.dropFirst("sqlite://".count))
        let workflow = Workflow("underLock") { () async throws -> String in
            let first = try await DBOS.step("before") { "a" }
            let second = try await DBOS.step("during") { "b" }
            return first + second
        }
        let metrics = TestMetrics()
        let dbos = try DBOS(config: DBOSConfig(name: "locked", systemDatabaseURL: url, applicationVersion: "v1",
                                               sqliteBusyTimeout: .seconds(1), metricsFactory: metrics))
        try dbos.register(workflow)
        try await dbos.launch()

        let holder = try await ChildProcess.holdSQLiteWriteLock(path: path, seconds: 4)
        let started = ContinuousClock.now
        let handle = try await dbos.start(workflow, options: WorkflowOptions(workflowID: "locked-1"))
        #expect(try await handle.result() == "ab")
        let waited = ContinuousClock.now - started
        #expect(try await holder.waitForExit() == 0)
        #expect(holder.output.contains("RELEASED"))
        #expect(waited > .seconds(2), "the writes waited for the lock (\(waited))")
        // A write waited out the busy timeout, failed as locked, and was tried again.
        #expect(try metrics.expectCounter("dbos_database_retries_total", [("reason", "busy")]).totalValue >= 1)
        #expect(try await dbos.getWorkflowStatus("locked-1")?.state == .success)
        #expect(try await dbos.listSteps("locked-1").map(\.functionName) == ["before", "during"])
        await dbos.shutdown()
    }
}

extension Sequence {
    /// `map` with an async transform, in order.
    func asyncMap<T>(_ transform: (Element) async throws -> T) async throws -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
