import DBOSTestSupport
import Foundation
import Testing
@testable import DBOS

/// Several real worker processes (`dbos-queue-fixture`) drain one queue: limits across
/// processes, a worker SIGKILLed mid-drain and restarted, and the takeover mode where the
/// others finish its work without a restart.
@Suite(.timeLimit(.minutes(4))) struct QueueDrainTests {
    @Test(.enabled(if: Backend.postgresBaseURL != nil, "PostgreSQL only: DBOS_TEST_DATABASE_URL not set"))
    func threeWorkersDrain500WithinEveryLimitInPriorityOrder() async throws {
        let drain = try await Drain(backend: .postgres, count: 500, priorities: 3)
        _ = try await drain.client.rawSQL("CREATE TABLE drain_probe (name text PRIMARY KEY, current integer NOT NULL, peak integer NOT NULL)")
        let workers = try (0..<3).map { try drain.startWorker($0, ["--worker-concurrency", "2", "--concurrency", "5", "--step-ms", "5", "--probe"]) }
        try await drain.waitUntilAllSucceeded()
        for worker in workers { try await worker.stop() }

        let runs = drain.bodyRuns()
        #expect(runs.count == 500 && Set(runs).count == 500, "each workflow's step ran exactly once")
        let peaks = Dictionary(uniqueKeysWithValues: try await drain.client.rawSQL("SELECT name, peak FROM drain_probe")
            .map { ($0.string("name") ?? "", $0.int("peak") ?? 0) })
        #expect((peaks["global"] ?? 99) <= 5, "global concurrency 5 exceeded: \(peaks)")
        for index in 0..<3 { #expect((peaks["worker-\(index)"] ?? 99) <= 2, "worker concurrency 2 exceeded: \(peaks)") }
        #expect(peaks.count == 4, "all three workers ran work: \(peaks)")

        // Claims happen in priority, then FIFO order: a workflow never starts before one that precedes it.
        let rows = try await drain.client.rawSQL("""
            SELECT priority, created_at, started_at_epoch_ms FROM dbos.workflow_status WHERE queue_name = 'drain'
            """).map { (key: [$0.int("priority") ?? 0, $0.int("created_at") ?? 0], started: $0.int("started_at_epoch_ms") ?? 0) }
        let groups = Dictionary(grouping: rows, by: \.key).sorted { $0.key.lexicographicallyPrecedes($1.key) }
        var latestEarlierStart = 0
        var inversions = 0
        for (_, group) in groups {
            inversions += group.filter { $0.started < latestEarlierStart }.count
            latestEarlierStart = max(latestEarlierStart, group.map(\.started).max() ?? 0)
        }
        #expect(inversions == 0, "\(inversions) workflows started before one that precedes them in priority/FIFO order")
        await drain.client.close()
    }

    @Test(arguments: Backend.available)
    func aWorkerKilledMidDrainRecoversItsWorkOnRestart(backend: Backend) async throws {
        let drain = try await Drain(backend: backend, count: 90)
        let arguments = ["--worker-concurrency", "3", "--step-ms", "40"]
        var workers = try (0..<3).map { try drain.startWorker($0, arguments) }
        try await drain.waitUntil(succeeded: 20)
        try await workers[1].stop()
        let heldByKilled = try await drain.pending(executor: "worker-1")
        workers[1] = try drain.startWorker(1, arguments)
        try await drain.waitUntilAllSucceeded()
        for worker in workers { try await worker.stop() }
        try await drain.expectEachCompletedOnce(rerunAtMost: heldByKilled)
        await drain.client.close()
    }

    @Test(arguments: Backend.available)
    func inTakeoverModeLiveWorkersFinishADeadWorkersWork(backend: Backend) async throws {
        let drain = try await Drain(backend: backend, count: 90)
        let arguments = ["--worker-concurrency", "3", "--step-ms", "40", "--lease-ms", "3000"]
        let workers = try (0..<3).map { try drain.startWorker($0, arguments) }
        try await drain.waitUntil(succeeded: 20)
        try await workers[1].stop()
        let heldByKilled = try await drain.pending(executor: "worker-1")
        try await drain.waitUntilAllSucceeded()   // no restart of worker-1
        // A live worker drops the dead executor's lease once nothing is left with it (at the next
        // upkeep after the lease expired, which may come after the last workflow finished).
        try await eventually("the dead executor's lease to be dropped") {
            try await drain.client.rawSQL(
                "SELECT key FROM dbos.event_dispatch_kv WHERE service_name = 'dbos-swift.executor-lease' AND key = 'worker-1'").isEmpty
        }
        for worker in [workers[0], workers[2]] { try await worker.stop() }
        // Only steps in flight when an executor was taken over run twice: the dead one's, and on a
        // loaded machine a live worker that missed its lease is taken over too (3 slots per worker).
        try await drain.expectEachCompletedOnce(rerunAtMost: max(heldByKilled, 3 * 3))
        #expect(try await drain.pending(executor: "worker-1") == 0, "nothing is left with the dead executor")
        await drain.client.close()
    }
}

extension QueueDrainTests {
    /// Item 4: a queued workflow that kills every worker running it is retried up to its
    /// recovery attempts (2: three runs), then becomes MAX_RECOVERY_ATTEMPTS_EXCEEDED and leaves
    /// the queue; the worker that dead-letters it stays up and the other work completes.
    @Test(arguments: Backend.available)
    func aPoisonPillIsDeadLetteredAfterItsRecoveryAttempts(backend: Backend) async throws {
        let drain = try await Drain(backend: backend, count: 6)
        _ = try await drain.client.enqueue(workflowName: "poison", queue: "drain", "p", options: EnqueueOptions(workflowID: "poison-p"))
        var kills = 0
        var worker = try drain.startWorker(0, ["--worker-concurrency", "1", "--step-ms", "5"])
        while try await drain.client.getWorkflowStatus("poison-p")?.state != .maxRecoveryAttemptsExceeded {
            // The worker dies running the poison pill; a restart recovers it onto the queue again.
            try await eventually(timeout: .seconds(60), "the worker to die or the pill to be dead-lettered") {
                let state = try await drain.client.getWorkflowStatus("poison-p")?.state
                return !worker.isRunning || state == .maxRecoveryAttemptsExceeded
            }
            guard !worker.isRunning else { break }
            #expect(try await worker.waitForExit() == 128 + SIGKILL)
            kills += 1
            try #require(kills <= 5, "the poison pill was never dead-lettered")
            worker = try drain.startWorker(0, ["--worker-concurrency", "1", "--step-ms", "5"])
        }
        try await drain.waitUntilAllSucceeded()
        #expect(worker.isRunning, "the worker that dead-lettered the pill is still serving")
        try await worker.stop()

        let status = try #require(try await drain.client.getWorkflowStatus("poison-p"))
        #expect(status.state == .maxRecoveryAttemptsExceeded && status.queueName == nil)
        #expect(status.completedAt != nil, "dead-lettering stamps the completion time, as DBOS does")
        #expect(kills == 3, "the pill ran 1 + 2 recovery attempts, each killing its worker")
        #expect(drain.bodyRuns().filter { $0 == "poison:p" }.count == 3)
        await #expect(throws: DBOSError.self) { _ = try await drain.client.result(of: "poison-p", as: String.self) }
        await drain.client.close()
    }
}

/// One drain scenario: a database with `count` enqueued `drainWork` workflows and the
/// counter files of its worker processes.
struct Drain {
    let url: String
    let count: Int
    let client: DBOSClient
    let directory: URL

    init(backend: Backend, count: Int, priorities: Int = 1) async throws {
        url = try await backend.freshDatabaseURL("drain")
        self.count = count
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("dbos-drain-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        client = try await DBOSClient(databaseURL: url)
        _ = try await client.migrate()
        for index in 0..<count {
            _ = try await client.enqueue(workflowName: "drainWork", queue: "drain", "d\(index)",
                                         options: EnqueueOptions(workflowID: "d\(index)", priority: index % priorities))
        }
    }

    /// Starts worker `index`; with `clockOffset` (libfaketime's, like `+1h`), its wall clock is
    /// that far off (its monotonic clock is left alone), as on a host whose clock is wrong.
    func startWorker(_ index: Int, _ extra: [String], clockOffset: String? = nil) throws -> ChildProcess {
        let command = [ChildProcess.executable("dbos-queue-fixture").path, "--database-url", url, "--executor-id", "worker-\(index)",
                       "--counter-file", counterFile(index)] + extra
        guard let clockOffset else { return try ChildProcess.start(command: command) }
        guard let library = Self.libfaketime else { throw TestFailure("libfaketime is not installed") }
        // Preloaded into the worker itself (the `faketime` command would stand between it and a
        // kill). Timed waits on the monotonic clock stall without FAKETIME_FORCE_MONOTONIC_FIX. A
        // Swift program started with the library preloaded directly loses its arguments; started
        // through `env` (which then runs it in its own process), it keeps them.
        return try ChildProcess.start(command: ["/usr/bin/env"] + command, environment: [
            "LD_PRELOAD": library, "FAKETIME": clockOffset, "FAKETIME_DONT_FAKE_MONOTONIC": "1",
            "FAKETIME_FORCE_MONOTONIC_FIX": "1",
        ])
    }

    /// libfaketime for multithreaded programs (Debian's `faketime` package), when installed.
    static let libfaketime: String? = ["x86_64", "aarch64"]
        .map { "/usr/lib/\($0)-linux-gnu/faketime/libfaketimeMT.so.1" }
        .first { FileManager.default.fileExists(atPath: $0) }

    func counterFile(_ index: Int) -> String { directory.appendingPathComponent("worker-\(index).txt").path }

    func succeeded() async throws -> Int {
        Int(try await client.rawSQL("SELECT count(*) AS n FROM dbos.workflow_status WHERE status = 'SUCCESS'").first?.int("n") ?? 0)
    }

    func waitUntil(succeeded target: Int) async throws {
        try await eventually(timeout: .seconds(150), "\(target) workflows to succeed") { try await succeeded() >= target }
    }

    func waitUntilAllSucceeded() async throws { try await waitUntil(succeeded: count) }

    /// How many workflows `executor` holds PENDING.
    func pending(executor: String) async throws -> Int {
        Int(try await client.rawSQL("SELECT count(*) AS n FROM dbos.workflow_status WHERE status = 'PENDING' AND executor_id = \(executor)").first?.int("n") ?? 0)
    }

    /// Every label a step body ran for, across the workers' counter files.
    func bodyRuns() -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return files.flatMap { file in
            ((try? String(contentsOfFile: directory.appendingPathComponent(file).path, encoding: .utf8)) ?? "")
                .split(separator: "\n").map(String.init)
        }
    }

    /// Every workflow succeeded with its own output; only the steps that were running in the
    /// killed worker (at most `rerunAtMost`) ran a second time.
    func expectEachCompletedOnce(rerunAtMost: Int) async throws {
        let rows = try await client.listWorkflows(ListWorkflowsFilter(name: "drainWork"))
        #expect(rows.count == count && rows.allSatisfy { $0.state == .success })
        for row in rows {
            #expect(try await client.result(of: row.workflowID, as: String.self) == row.workflowID.uppercased())
        }
        let runs = bodyRuns()
        #expect(Set(runs) == Set((0..<count).map { "d\($0)" }), "every workflow's step ran")
        #expect(runs.count - count <= rerunAtMost, "\(runs.count - count) steps ran twice; \(rerunAtMost) were in flight in the killed worker")
    }
}
