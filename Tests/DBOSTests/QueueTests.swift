import DBOSTestSupport
import Foundation
import Synchronization
import Testing
@testable import DBOS

/// Tracks how many bodies run at once, and in which order they started.
final class ConcurrencyProbe: Sendable {
    private let state = Mutex<(current: Int, peak: Int, order: [String], starts: [Date])>((0, 0, [], []))
    func enter(_ label: String) {
        state.withLock { state in
            state.current += 1
            state.peak = max(state.peak, state.current)
            state.order.append(label)
            state.starts.append(Date())
        }
    }
    func leave() { state.withLock { $0.current -= 1 } }
    var current: Int { state.withLock { $0.current } }
    var peak: Int { state.withLock { $0.peak } }
    var order: [String] { state.withLock { $0.order } }
    var starts: [Date] { state.withLock { $0.starts } }
}

@Suite struct QueueTests {
    /// A workflow whose step records its concurrency. With `company`, each body waits (up to
    /// 5 s) until that many bodies run at once, so a limit that allows them is reached for sure.
    static func work(_ probe: ConcurrencyProbe, pause: Duration = .milliseconds(40), company: Int? = nil) -> Workflow<String, String> {
        Workflow("work") { (label: String) async throws -> String in
            try await DBOS.step("body") {
                probe.enter(label)
                defer { probe.leave() }
                if let company {
                    let deadline = ContinuousClock.now + .seconds(5)
                    while probe.peak < company && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
                }
                try await Task.sleep(for: pause)
                return label.uppercased()
            }
        }
    }

    @Test(arguments: Backend.available)
    func workerConcurrencyIsNeverExceeded(backend: Backend) async throws {
        let probe = ConcurrencyProbe()
        let work = Self.work(probe, company: 2)
        let queue = Queue("limited", workerConcurrency: 2)
        let dbos = try DBOS(config: DBOSConfig(name: "q", systemDatabaseURL: try await backend.freshDatabaseURL(), applicationVersion: "v"))
        try dbos.register(work)
        try dbos.register(queues: queue)
        try await dbos.launch()
        var handles: [WorkflowHandle<String>] = []
        for index in 0..<8 { handles.append(try await dbos.enqueue(work, "w\(index)", on: queue)) }
        var results: [String] = []
        for handle in handles { results.append(try await handle.result()) }
        #expect(results == (0..<8).map { "W\($0)" })
        #expect(probe.peak == 2)
        let status = try await handles[0].status()
        #expect(status.queueName == "limited")
        #expect(status.startedAt != nil)
        let queues = try await dbos.rawSQL("SELECT worker_concurrency FROM dbos.queues WHERE name = 'limited'")
        #expect(queues.first?.int("worker_concurrency") == 2)
        await dbos.shutdown()
    }

    @Test(arguments: Backend.available)
    func priorityThenFIFO(backend: Backend) async throws {
        let probe = ConcurrencyProbe()
        let work = Self.work(probe, pause: .milliseconds(1))
        let gate = Workflow("gate") { () async throws -> String in
            _ = try await DBOS.receive(String.self, topic: "open", timeout: .seconds(20))
            return "open"
        }
        let queue = Queue("ordered", workerConcurrency: 1, priorityEnabled: true)
        let dbos = try DBOS(config: DBOSConfig(name: "q", systemDatabaseURL: try await backend.freshDatabaseURL(), applicationVersion: "v"))
        try dbos.register(work, gate)
        try dbos.register(queues: queue)
        try await dbos.launch()
        let blocker = try await dbos.enqueue(gate, on: queue, options: EnqueueOptions(workflowID: "gate"))
        try await eventually("the gate to run") { try await blocker.status().state == .pending }
        var handles: [WorkflowHandle<String>] = []
        for (label, priority) in [("c1", 5), ("a1", 1), ("c2", 5), ("b1", 3), ("a2", 1)] {
            handles.append(try await dbos.enqueue(work, label, on: queue, options: EnqueueOptions(priority: priority)))
        }
        try await dbos.send("go", to: "gate", topic: "open")
        for handle in handles { _ = try await handle.result() }
        #expect(probe.order == ["a1", "a2", "b1", "c1", "c2"])
        await dbos.shutdown()
    }

    @Test(arguments: Backend.available)
    func deduplication(backend: Backend) async throws {
        let probe = ConcurrencyProbe()
        let work = Self.work(probe, pause: .milliseconds(300))
        let queue = Queue("dedup")
        let dbos = try DBOS(config: DBOSConfig(name: "q", systemDatabaseURL: try await backend.freshDatabaseURL(), applicationVersion: "v"))
        try dbos.register(work)
        try dbos.register(queues: queue)
        try await dbos.launch()
        let first = try await dbos.enqueue(work, "one", on: queue, options: EnqueueOptions(deduplicationID: "user-7"))
        await #expect(throws: DBOSError.queueDeduplicated(queue: "dedup", deduplicationID: "user-7")) {
            _ = try await dbos.enqueue(work, "two", on: queue, options: EnqueueOptions(deduplicationID: "user-7"))
        }
        #expect(try await first.result() == "ONE")
        // Once the first has finished the ID is free again.
        #expect(try await dbos.enqueue(work, "three", on: queue, options: EnqueueOptions(deduplicationID: "user-7")).result() == "THREE")
        await dbos.shutdown()
    }

    @Test(arguments: Backend.available)
    func severalRuntimesShareAQueueWithAGlobalLimit(backend: Backend) async throws {
        let probe = ConcurrencyProbe()
        let work = Self.work(probe, pause: .milliseconds(20))
        let queue = Queue("shared", workerConcurrency: 2, concurrency: 3, pollingInterval: .milliseconds(50))
        let url = try await backend.freshDatabaseURL()
        var runtimes: [DBOS] = []
        for index in 0..<3 {
            let dbos = try DBOS(config: DBOSConfig(name: "q", systemDatabaseURL: url, executorID: "worker-\(index)", applicationVersion: "v"))
            try dbos.register(work)
            try dbos.register(queues: queue)
            try await dbos.launch()
            runtimes.append(dbos)
        }
        var handles: [WorkflowHandle<String>] = []
        for index in 0..<30 { handles.append(try await runtimes[0].enqueue(work, "g\(index)", on: queue)) }
        for handle in handles { _ = try await handle.result() }
        #expect(probe.peak <= 3)
        #expect(probe.order.count == 30)
        #expect(Set(probe.order).count == 30, "each workflow ran exactly once")
        let executors = try await runtimes[0].rawSQL("SELECT DISTINCT executor_id FROM dbos.workflow_status")
        #expect(executors.count > 1, "work was shared")
        for dbos in runtimes { await dbos.shutdown() }
    }

    /// Work enqueued or resumed by another process (a `DBOSClient` with its own connections)
    /// starts at once: PostgreSQL NOTIFY, or SQLite's data version, not the 30 s polling interval.
    @Test(arguments: Backend.available)
    func remoteEnqueueAndResumeWakeTheDispatcher(backend: Backend) async throws {
        let work = Workflow("remoteWork") { (text: String) async throws -> String in
            try await DBOS.step("upper") { text.uppercased() }
        }
        let queue = Queue("slow-poll", pollingInterval: .seconds(30))
        let url = try await backend.freshDatabaseURL()
        let dbos = try DBOS(config: DBOSConfig(name: "q", systemDatabaseURL: url, applicationVersion: "v"))
        try dbos.register(work)
        try dbos.register(queues: queue)
        try await dbos.launch()
        let client = try await DBOSClient(databaseURL: url)
        let id = try await client.enqueue(workflowName: "remoteWork", queue: "slow-poll", "hi")
        #expect(try await client.result(of: id, as: String.self, timeout: .seconds(10)) == "HI")
        let fork = try await client.fork(id, fromStep: 1)
        #expect(try await client.result(of: fork, as: String.self, timeout: .seconds(10)) == "HI")
        await client.close()
        await dbos.shutdown()
    }
}
