import DBOS
import Foundation
import PostgresNIO
import Synchronization

/// Wall-clock microseconds since the epoch: comparable between processes on one machine.
enum EpochClock {
    static func micros() -> Int { Int((Date().timeIntervalSince1970 * 1_000_000).rounded()) }
}

/// What the receiving workflow tells the benchmark driver in this process: when it is about
/// to wait for message `index`, and when each message arrived.
final class RecvProbe: Sendable {
    struct Sample: Sendable {
        let index: Int
        /// When the sender started its `send` (the message's payload).
        let sentMicros: Int
        /// When `DBOS.recv` returned it.
        let receivedMicros: Int
        var latencyMicros: Int { receivedMicros - sentMicros }
    }

    private struct State {
        var ready: AsyncStream<Int>.Continuation?
        var samples: [Sample] = []
    }

    static let shared = RecvProbe()
    private let state = Mutex(State())

    /// Starts a new run: the stream yields each index the workflow is about to receive, and
    /// finishes when the workflow body ends.
    func reset() -> AsyncStream<Int> {
        let (stream, continuation) = AsyncStream.makeStream(of: Int.self)
        let previous = state.withLock { state in
            defer { state = State(ready: continuation) }
            return state.ready
        }
        previous?.finish()
        return stream
    }

    func aboutToReceive(_ index: Int) {
        _ = state.withLock { $0.ready }?.yield(index)
    }

    func received(_ index: Int, sentMicros: Int, receivedMicros: Int) {
        state.withLock { $0.samples.append(Sample(index: index, sentMicros: sentMicros, receivedMicros: receivedMicros)) }
    }

    func bodyEnded() {
        state.withLock { $0.ready }?.finish()
    }

    var samples: [Sample] { state.withLock { $0.samples } }
}

/// Sends the benchmark's messages: from this process, or from a child process.
protocol MessageSender: Sendable {
    /// How the receiver is woken: `in-process`, `listen-notify` or `sqlite-data-version`.
    var wakeup: String { get }
    /// Sends one message to `workflowID` whose payload is the epoch microseconds at which the send started.
    func send(to workflowID: String) async throws
    /// Sends `count` such messages one after another.
    func burst(to workflowID: String, count: Int) async throws
    func close() async throws
}

/// Topic of the benchmark's messages.
let pingTopic = "ping"

struct InProcessSender: MessageSender {
    let dbos: DBOS
    var wakeup: String { "in-process" }

    func send(to workflowID: String) async throws {
        try await dbos.send(EpochClock.micros(), to: workflowID, topic: pingTopic)
    }

    func burst(to workflowID: String, count: Int) async throws {
        for _ in 0..<count { try await send(to: workflowID) }
    }

    func close() async throws {}
}

/// A `dbos-bench --role sender` child that sends through its own `DBOSClient`, so the
/// receiver is woken through the database (PostgreSQL NOTIFY, or SQLite's data version).
struct ChildSender: MessageSender {
    let child: ChildProcess
    let wakeup: String

    static func start(databaseURL: String, backend: String) async throws -> ChildSender {
        let child = try ChildProcess(name: "sender", arguments: ["--role", "sender", "--database-url", databaseURL])
        do {
            try await child.expect("ready")
        } catch {
            child.kill()
            throw error
        }
        return ChildSender(child: child, wakeup: backend == "postgres" ? "listen-notify" : "sqlite-data-version")
    }

    func send(to workflowID: String) async throws {
        try child.send("send \(workflowID)")
        try await child.expect("sent")
    }

    func burst(to workflowID: String, count: Int) async throws {
        try child.send("burst \(workflowID) \(count)")
        try await child.expect("done")
    }

    func close() async throws { try await child.stop() }

    /// The child's side: reads `send ID` / `burst ID N` lines until its input ends.
    static func serve(databaseURL: String, logger: Logger) async throws {
        let client = try await DBOSClient(databaseURL: databaseURL, logger: logger)
        do {
            let commands = standardInputLines()
            emit("ready")
            while let line = await commands.next() {
                let words = line.split(separator: " ").map(String.init)
                switch (words.first, words.count) {
                case ("send", 2):
                    try await client.send(EpochClock.micros(), to: words[1], topic: pingTopic)
                    emit("sent")
                case ("burst", 3):
                    guard let count = Int(words[2]) else { throw BenchFailure("bad command '\(line)'") }
                    for _ in 0..<count { try await client.send(EpochClock.micros(), to: words[1], topic: pingTopic) }
                    emit("done")
                default:
                    throw BenchFailure("bad command '\(line)'")
                }
            }
        } catch {
            await client.close()
            throw error
        }
        await client.close()
    }
}

/// The send-recv workloads' numbers.
struct MessagingResult: BenchReport {
    let workload: String
    let backend: String
    let wakeup: String
    let messages: Int
    let settleMilliseconds: Int
    let latencies: [Int]
    let sentBeforeRecvStarted: Int
    let burstMessages: Int
    let burstSeconds: Double
    let load: Double?

    private func percentile(_ fraction: Double) -> Double { millisecondsPercentile(ofMicroseconds: latencies, fraction) }

    var fields: [(String, JSONField)] {
        let mean = latencies.isEmpty ? 0 : Double(latencies.reduce(0, +)) / Double(latencies.count) / 1000
        return [
            ("workload", .string(workload)),
            ("backend", .string(backend)),
            ("workflows", .int(messages)),
            ("concurrency", .int(1)),
            ("seconds", .double(rounded(burstSeconds, 3))),
            ("workflows_per_s", .double(rounded(Double(burstMessages) / burstSeconds, 1))),
            ("p50_ms", .double(rounded(percentile(0.50), 3))),
            ("p99_ms", .double(rounded(percentile(0.99), 3))),
            ("baseline_commits_per_s", .null),
            ("ratio_to_baseline", .null),
            ("messages", .int(messages)),
            ("mean_ms", .double(rounded(mean, 3))),
            ("min_ms", .double(rounded(Double(latencies.first ?? 0) / 1000, 3))),
            ("max_ms", .double(rounded(Double(latencies.last ?? 0) / 1000, 3))),
            ("wakeup", .string(wakeup)),
            ("settle_ms", .int(settleMilliseconds)),
            ("sent_before_recv_started", .int(sentBeforeRecvStarted)),
            ("burst_messages", .int(burstMessages)),
            ("load_1m", load.map(JSONField.double) ?? .null),
        ]
    }
}

/// Send-to-recv latency and one waiting workflow's receive rate.
///
/// Latency (`p50_ms`, `p99_ms`): one workflow loops on `DBOS.receive(topic: "ping")`. Before each
/// recv it tells the driver (in this process) which message it waits for; the driver waits
/// `settle` (so the workflow is parked in its wait, not still writing its recv's deadline), then
/// has the sender send a message whose payload is the epoch microseconds at which `send`
/// started. The workflow subtracts that from the time its recv returned. So the latency covers
/// the sender's commit, the wake-up (in-process signal, NOTIFY, or SQLite's data-version
/// watcher) and the receiver's consuming transaction. Both processes read one machine clock.
///
/// Rate (`workflows_per_s`): a second such workflow, waiting for its first message, is sent
/// `burst` messages back to back; rate = messages / (first send start -> last recv return).
enum MessagingBench {
    static let recvLoop = Workflow("dbos_bench_recv_loop") { (count: Int) async throws -> Int in
        defer { RecvProbe.shared.bodyEnded() }
        for index in 0..<count {
            RecvProbe.shared.aboutToReceive(index)
            guard let sent = try await DBOS.receive(Int.self, topic: pingTopic, timeout: .seconds(30)) else {
                throw BenchFailure("message \(index) did not arrive within 30 s")
            }
            RecvProbe.shared.received(index, sentMicros: sent, receivedMicros: EpochClock.micros())
        }
        return count
    }

    static func measure(workload: String, dbos: DBOS, sender: any MessageSender, messages: Int, warmup: Int,
                        settle: Duration) async throws -> MessagingResult {
        // Latency: paced, one message at a time to a waiting workflow.
        let pacedID = "dbos-bench-recv-\(UUID().uuidString.lowercased())"
        let total = warmup + messages
        var ready = RecvProbe.shared.reset().makeAsyncIterator()
        let paced = try await dbos.start(recvLoop, total, options: WorkflowOptions(workflowID: pacedID))
        for index in 0..<total {
            guard let waiting = await ready.next() else { break }
            guard waiting == index else { throw BenchFailure("receiver waits for message \(waiting), expected \(index)") }
            try await Task.sleep(for: settle)
            try await sender.send(to: pacedID)
        }
        guard try await paced.result() == total else { throw BenchFailure("receiving workflow ended early") }
        let samples = RecvProbe.shared.samples.filter { $0.index >= warmup }
        guard samples.count == messages else { throw BenchFailure("received \(samples.count) of \(messages) messages") }
        let early = try await sentBeforeRecvStarted(dbos: dbos, workflowID: pacedID, warmup: warmup)

        // Rate: a burst to a waiting workflow.
        let burstID = "dbos-bench-burst-\(UUID().uuidString.lowercased())"
        var burstReady = RecvProbe.shared.reset().makeAsyncIterator()
        let burst = try await dbos.start(recvLoop, messages, options: WorkflowOptions(workflowID: burstID))
        guard await burstReady.next() == 0 else { throw BenchFailure("burst receiver ended early") }
        try await Task.sleep(for: settle)
        try await sender.burst(to: burstID, count: messages)
        guard try await burst.result() == messages else { throw BenchFailure("burst receiver ended early") }
        let burstSamples = RecvProbe.shared.samples
        guard burstSamples.count == messages, let first = burstSamples.map(\.sentMicros).min(),
              let last = burstSamples.map(\.receivedMicros).max() else {
            throw BenchFailure("burst received \(burstSamples.count) of \(messages) messages")
        }
        return MessagingResult(
            workload: workload, backend: dbos.backendName, wakeup: sender.wakeup, messages: messages,
            settleMilliseconds: Int(settle.seconds * 1000), latencies: samples.map(\.latencyMicros).sorted(),
            sentBeforeRecvStarted: early, burstMessages: messages, burstSeconds: Double(last - first) / 1_000_000,
            load: loadAverage())
    }

    /// Measured messages whose send started before their recv began looking (its recorded
    /// start, in ms): those may have been found by the recv's first check rather than by a
    /// wake-up. Zero means every measured message reached an already-waiting recv.
    private static func sentBeforeRecvStarted(dbos: DBOS, workflowID: String, warmup: Int) async throws -> Int {
        let receives = try await dbos.listSteps(workflowID).filter { $0.functionName == "DBOS.recv" }.dropFirst(warmup)
        return receives.filter { step in
            guard let output = step.output, let sent = Int(output), let started = step.startedAt else { return false }
            return sent / 1000 < Int((started.timeIntervalSince1970 * 1000).rounded())
        }.count
    }
}
