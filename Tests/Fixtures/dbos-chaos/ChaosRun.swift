import DBOS
import DBOSTestSupport
import Foundation
import Logging

/// Runs the chaos test: servers, workers, the fault injector, then the check.
final class ChaosRun {
    struct Settings {
        var postgres: Bool
        var workflows: Int
        var minimumFaults: Int
        var workers: Int
    }

    /// How many faults have been injected, by kind.
    struct Faults: CustomStringConvertible {
        var kills = 0
        var postgresRestarts = 0
        var lockHolds = 0
        var total: Int { kills + postgresRestarts + lockHolds }
        var description: String {
            "faults \(total) (kills \(kills), postgres restarts \(postgresRestarts), lock holds \(lockHolds))"
        }
    }

    let settings: Settings
    private var server: PostgresServer?
    private var url = ""
    private var sqlitePath = ""
    private var workers: [ChildProcess] = []
    private var lockHolder: ChildProcess?
    private var faults = Faults()
    private var enqueued = 0
    private let directory: URL
    private let ledgers: URL
    private let orchestrator: Ledger

    init(_ settings: Settings) throws {
        self.settings = settings
        directory = try ScratchDirectory.fresh("chaos")
        ledgers = directory.appendingPathComponent("ledgers")
        try FileManager.default.createDirectory(at: ledgers, withIntermediateDirectories: true)
        orchestrator = Ledger(path: ledgers.appendingPathComponent("orchestrator.txt").path)
    }

    /// Returns the number of violations found.
    func run() async throws -> Int {
        if settings.postgres {
            let server = try await PostgresServer.start()
            self.server = server
            url = server.freshDatabaseURL("chaos")
        } else {
            sqlitePath = directory.appendingPathComponent("chaos.sqlite").path
            url = "sqlite://" + sqlitePath
        }
        do {
            let violations = try await runWorkload()
            await stopEverything()
            return violations
        } catch {
            await stopEverything()
            throw error
        }
    }

    private func runWorkload() async throws -> Int {
        var logger = DBOSConfig(name: "chaos").logger
        logger.logLevel = .error
        let client = try await DBOSClient(databaseURL: url, logger: logger)
        _ = try await client.migrate()
        try await enqueue(settings.workflows, with: client)
        for index in 0..<settings.workers { workers.append(try await startWorker(index)) }

        // Faults while work flows (a new batch whenever the last one is done), then quiet: the
        // work must then finish on its own, without a kill restarting whoever held it.
        while faults.total < settings.minimumFaults {
            if try await finished(client) == enqueued { try await enqueue(settings.workflows, with: client) }
            try await Task.sleep(for: .milliseconds(Int.random(in: 200...1200)))
            try await injectFault()
        }
        // On PostgreSQL the last fault is an outage: what it strands, no later kill rescues.
        if let server {
            try await restart(server, .immediate)
        }
        let deadline = ContinuousClock.now + .seconds(90)
        while try await finished(client) < enqueued, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(200))
        }
        if let holder = lockHolder { _ = try await holder.waitForExit() }
        for index in workers.indices { await stopWorker(index) }

        let check = ChaosCheck(client: client, url: url, ledgers: ledgers.path, workflows: enqueued, kills: faults.kills)
        let violations = try await check.run()
        await client.close()
        for violation in violations.prefix(50) { print("violation: \(violation)") }
        print("reruns \(check.reruns) (step bodies run again after a kill), work dir \(directory.path)")
        print("\(faults), workflows \(enqueued), violations \(violations.count)")
        fflush(nil)
        return violations.count
    }

    private func enqueue(_ count: Int, with client: DBOSClient) async throws {
        for index in enqueued..<enqueued + count {
            _ = try await client.enqueue(workflowName: "chaosOrder", queue: ChaosWorkload.queueName, index,
                                         options: EnqueueOptions(workflowID: "order-\(index)"))
        }
        enqueued += count
    }

    /// Finished `chaosOrder` workflows (any final state: the checker judges them).
    private func finished(_ client: DBOSClient) async throws -> Int {
        try await client.listWorkflows(ListWorkflowsFilter(name: "chaosOrder"))
            .filter { ![.pending, .enqueued, .delayed].contains($0.state) }.count
    }

    // MARK: Faults

    private func injectFault() async throws {
        let roll = Double.random(in: 0..<1)
        if let server, roll >= 0.5 {
            try await restart(server, roll < 0.75 ? .fast : .immediate)
        } else if server == nil, faults.total % 40 == 5, lockHolder == nil {
            try await holdSQLiteLock()
        } else {
            let index = Int.random(in: 0..<workers.count)
            await stopWorker(index)
            workers[index] = try await startWorker(index)
            faults.kills += 1
        }
        if let holder = lockHolder, !holder.isRunning {
            _ = try await holder.waitForExit()
            lockHolder = nil
        }
    }

    /// Stops PostgreSQL (`pg_ctl stop -m mode`) for up to 2 s, then starts it again.
    private func restart(_ server: PostgresServer, _ mode: PostgresServer.ShutdownMode) async throws {
        orchestrator.append("postgres-stop \(mode.rawValue)")
        try await server.halt(mode)
        try await Task.sleep(for: .milliseconds(Int.random(in: 100...2000)))
        try await server.resume()
        orchestrator.append("postgres-start")
        faults.postgresRestarts += 1
    }

    /// Another process takes SQLite's write lock for 32 s, past the 30 s busy timeout.
    private func holdSQLiteLock() async throws {
        let holder = try await ChildProcess.holdSQLiteWriteLock(path: sqlitePath, seconds: 32)
        orchestrator.append("lock-hold")
        lockHolder = holder
        faults.lockHolds += 1
    }

    // MARK: Workers

    private func startWorker(_ index: Int) async throws -> ChildProcess {
        let worker = try ChildProcess.start("dbos-chaos", [
            "worker", "--database-url", url, "--executor-id", "worker-\(index)",
            "--ledger", ledgers.appendingPathComponent("worker-\(index).txt").path])
        _ = try await worker.awaitMatch("READY", timeout: .seconds(120))
        return worker
    }

    /// SIGKILL, recorded in the ledger once the worker has exited: its executions end here.
    /// (Recorded before the signal, a worker could still begin executions after the line, which
    /// the checker would then count as running for ever.)
    private func stopWorker(_ index: Int) async {
        let worker = workers[index]
        try? await worker.stop()
        orchestrator.append("kill \(worker.pid)")
    }

    private func stopEverything() async {
        for worker in workers where worker.isRunning { try? await worker.stop() }
        if let holder = lockHolder { try? await holder.stop() }
        await server?.stop()
    }
}
