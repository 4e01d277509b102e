import DBOS
import Foundation
import Logging
import PostgresNIO
import Synchronization

/// `waiting-agents`: what N workflows parked in `DBOS.receive` cost, and how fast they wake.
///
/// N workflows each wait (an hour) for one message. Once all wait, the benchmark reads the
/// process's resident memory (`rss_per_waiter_kb`: the growth since before they started, per
/// waiter), then measures the database's load while nothing happens for `--idle-seconds`
/// (`idle_transactions_per_s`: PostgreSQL's committed and rolled-back transactions in this
/// database, from `pg_stat_database`, less the benchmark's own read; every statement of this
/// library outside a transaction is its own; autovacuum's work in the database counts too).
/// Then a `DBOSClient` (its own pool, as another service would send; with `--send-from-runtime`
/// the runtime itself) sends each workflow a message whose payload is the epoch microseconds at
/// which the send started, `--send-concurrency` at a time; `p50_ms`/`p99_ms` run from there to the
/// start of the step the workflow runs after its receive.
enum WaitingAgentsBench {
    static let topic = "wake"

    static let agent = Workflow("dbos_bench_waiting_agent") { (index: Int) async throws -> Int in
        WaitingProbe.shared.waiting()
        guard let sent = try await DBOS.receive(Int.self, topic: topic, timeout: .seconds(3600)) else {
            throw BenchFailure("agent \(index) got no message within an hour")
        }
        _ = try await DBOS.step("act") { () -> Int in
            let latency = EpochClock.micros() - sent
            WaitingProbe.shared.woke(latencyMicros: latency)
            return latency
        }
        return index
    }

    struct Settings {
        let waiters: Int
        let idle: Duration
        let sendConcurrency: Int
        /// Send through the runtime itself instead of a separate `DBOSClient`.
        let sendFromRuntime: Bool
        let poolSize: Int
    }

    static func measure(target: BenchTarget, settings: Settings, logger: Logger) async throws -> WaitingAgentsResult {
        WaitingProbe.shared.reset()
        let stats = try await DatabaseActivity.open(target, logger: logger)
        let dbos = try await WorkflowBench.launch(url: target.url, poolSize: settings.poolSize, logger: logger)
        let client: DBOSClient
        do {
            client = try await DBOSClient(databaseURL: target.url, logger: logger)
        } catch {
            await dbos.shutdown()
            await stats.close()
            throw error
        }
        do {
            let result = try await run(dbos: dbos, client: client, stats: stats, settings: settings)
            await client.close()
            await dbos.shutdown()
            await stats.close()
            return result
        } catch {
            await client.close()
            await dbos.shutdown()
            await stats.close()
            throw error
        }
    }

    private static func run(dbos: DBOS, client: DBOSClient, stats: DatabaseActivity,
                            settings: Settings) async throws -> WaitingAgentsResult {
        let prefix = "dbos-bench-agent-\(UUID().uuidString.prefix(8).lowercased())-"
        let rssBefore = residentKilobytes()
        let clock = ContinuousClock()
        let started = clock.now
        var handles: [WorkflowHandle<Int>] = []
        handles.reserveCapacity(settings.waiters)
        for index in 0..<settings.waiters {
            handles.append(try await dbos.start(agent, index, options: WorkflowOptions(workflowID: prefix + String(index))))
        }
        try await WaitingProbe.shared.untilWaiting(settings.waiters, timeout: .seconds(600))
        let startSeconds = started.duration(to: clock.now).seconds
        // Let the last receives reach their wait (each checks its inbox once first).
        try await Task.sleep(for: .seconds(2))
        let rssWaiting = residentKilobytes()
        // A PostgreSQL backend reports its transactions to pg_stat_database up to 10 s after
        // it goes idle: wait until the start's burst is counted before the window opens.
        if stats.isPostgres { try await Task.sleep(for: .seconds(11)) }

        let idleBefore = try await stats.transactions()
        try await Task.sleep(for: settings.idle)
        let idleAfter = try await stats.transactions()
        var idleRate: Double?
        if let idleBefore, let idleAfter {
            idleRate = max(0, Double(idleAfter - idleBefore - 1) / settings.idle.seconds)   // less the first read itself
        }

        let sendStarted = clock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            func addSend() {
                let id = prefix + String(next)
                group.addTask {
                    if settings.sendFromRuntime {
                        try await dbos.send(EpochClock.micros(), to: id, topic: topic)
                    } else {
                        try await client.send(EpochClock.micros(), to: id, topic: topic)
                    }
                }
                next += 1
            }
            while next < min(settings.sendConcurrency, settings.waiters) { addSend() }
            while try await group.next() != nil {
                if next < settings.waiters { addSend() }
            }
        }
        for (index, handle) in handles.enumerated() {
            guard try await handle.result() == index else { throw BenchFailure("agent \(index) returned the wrong index") }
        }
        let wakeSeconds = sendStarted.duration(to: clock.now).seconds
        let latencies = WaitingProbe.shared.latencies.sorted()
        guard latencies.count == settings.waiters else {
            throw BenchFailure("\(latencies.count) of \(settings.waiters) agents woke")
        }
        return WaitingAgentsResult(
            backend: dbos.backendName, waiters: settings.waiters, startSeconds: startSeconds,
            rssPerWaiterKilobytes: rssBefore.flatMap { before in rssWaiting.map { Double($0 - before) / Double(settings.waiters) } },
            idleSeconds: settings.idle.seconds, idleTransactionsPerSecond: idleRate,
            sendConcurrency: settings.sendConcurrency, sender: settings.sendFromRuntime ? "runtime" : "client", wakeSeconds: wakeSeconds, latencies: latencies, load: loadAverage())
    }

    /// This process's resident set, in kB (Linux `/proc/self/status`).
    static func residentKilobytes() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int(line.split(separator: " ").dropFirst().first ?? "")
        }
        return nil
    }
}

/// What the agents tell the benchmark driver: how many wait, and each one's wake-up latency.
final class WaitingProbe: Sendable {
    static let shared = WaitingProbe()
    private let state = Mutex<(waiting: Int, latencies: [Int])>((0, []))

    func reset() { state.withLock { $0 = (0, []) } }
    func waiting() { state.withLock { $0.waiting += 1 } }
    func woke(latencyMicros: Int) { state.withLock { $0.latencies.append(latencyMicros) } }
    var latencies: [Int] { state.withLock { $0.latencies } }

    func untilWaiting(_ count: Int, timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while state.withLock({ $0.waiting }) < count {
            guard ContinuousClock.now < deadline else { throw BenchFailure("agents did not all start waiting within \(timeout)") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}

/// The database's transaction count (PostgreSQL's `pg_stat_database`); nothing on SQLite,
/// which has no server whose load could be read.
struct DatabaseActivity {
    private let baseline: PostgresBaseline?

    static func open(_ target: BenchTarget, logger: Logger) async throws -> DatabaseActivity {
        guard case .postgres(let location) = target.location else { return DatabaseActivity(baseline: nil) }
        return DatabaseActivity(baseline: try await PostgresBaseline.open(location, poolSize: 1, logger: logger))
    }

    var isPostgres: Bool { baseline != nil }

    /// Committed plus rolled-back transactions in this database so far; nil on SQLite.
    func transactions() async throws -> Int? {
        try await baseline?.transactionCount()
    }

    func close() async { await baseline?.close() }
}

/// The `waiting-agents` numbers.
struct WaitingAgentsResult: BenchReport {
    var workload: String { "waiting-agents" }
    let backend: String
    let waiters: Int
    let startSeconds: Double
    let rssPerWaiterKilobytes: Double?
    let idleSeconds: Double
    let idleTransactionsPerSecond: Double?
    let sendConcurrency: Int
    /// Who sent the messages: `client` (its own connections) or `runtime`.
    let sender: String
    let wakeSeconds: Double
    /// Send-to-next-step latencies in microseconds, sorted.
    let latencies: [Int]
    let load: Double?

    private func percentile(_ fraction: Double) -> Double { millisecondsPercentile(ofMicroseconds: latencies, fraction) }

    var fields: [(String, JSONField)] {
        [
            ("workload", .string(workload)),
            ("backend", .string(backend)),
            ("workflows", .int(waiters)),
            ("concurrency", .int(sendConcurrency)),
            ("seconds", .double(rounded(wakeSeconds, 3))),
            ("workflows_per_s", .double(rounded(Double(waiters) / wakeSeconds, 1))),
            ("p50_ms", .double(rounded(percentile(0.50), 3))),
            ("p99_ms", .double(rounded(percentile(0.99), 3))),
            ("baseline_commits_per_s", .null),
            ("ratio_to_baseline", .null),
            ("sender", .string(sender)),
            ("start_seconds", .double(rounded(startSeconds, 3))),
            ("rss_per_waiter_kb", rssPerWaiterKilobytes.map { .double(rounded($0, 2)) } ?? .null),
            ("idle_seconds", .double(rounded(idleSeconds, 1))),
            ("idle_transactions_per_s", idleTransactionsPerSecond.map { .double(rounded($0, 2)) } ?? .null),
            ("load_1m", load.map(JSONField.double) ?? .null),
        ]
    }
}
