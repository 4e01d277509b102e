import DBOSTestSupport
import DBOSTesting
import Foundation
import Testing
@testable import DBOS

/// Durable time on DBOSTesting's clock (issue 16): every deadline a workflow waits for is
/// measured on the runtime's clock, so these tests advance it instead of waiting in real time,
/// and each outcome is exact (a deadline is the clock's time plus the timeout, to the
/// millisecond).
@Suite(.timeLimit(.minutes(5))) struct TestClockTests {
    /// A fixed start, so recorded times can be checked exactly.
    static let start = Date(timeIntervalSince1970: 1_798_761_600)   // 2027-01-01T00:00:00Z

    static func runtime(_ backend: Backend, _ register: @escaping @Sendable (DBOS) throws -> Void) async throws -> TestRuntime {
        try TestRuntime(database: .url(try await backend.freshDatabaseURL("clock")), clock: TestClock(now: start), register: register)
    }

    @Test(arguments: Backend.available)
    func aDayLongRecvTimesOutWhenTheClockPassesItsDeadline(backend: Backend) async throws {
        let waiter = Workflow("approval") { () async throws -> String in
            try await DBOS.receive(String.self, topic: "approve", timeout: .seconds(86_400)) ?? "expired"
        }
        let runtime = try await Self.runtime(backend) { try $0.register(waiter) }
        try await runtime.launch()
        let handle = try await runtime.dbos.start(waiter, options: WorkflowOptions(workflowID: "approval-1"))
        await runtime.clock.waitForSleepers()
        let deadline = Self.start.addingTimeInterval(86_400)
        #expect(runtime.clock.pendingDeadlines == [deadline])

        await runtime.advance(by: .seconds(86_399))
        #expect(runtime.clock.pendingDeadlines == [deadline], "a second before its deadline the recv still waits")
        #expect(try await handle.status().state == .pending)

        await runtime.advance(by: .seconds(1))
        #expect(try await handle.result() == "expired")
        let steps = try await runtime.dbos.listSteps("approval-1")
        #expect(steps.map(\.functionName) == ["DBOS.recv", "DBOS.sleep"])
        #expect(try PortableJSON.decode(Double.self, from: steps[1].output ?? "", what: "deadline") == deadline.timeIntervalSince1970,
                "the stored deadline is the clock's")
        #expect(steps[0].startedAt == Self.start)
        #expect(steps[1].startedAt == Self.start && steps[1].completedAt == Self.start,
                "a receive's timeout is recorded as an instant (it may end early), as DBOS does")
        await runtime.shutdown()
    }

    /// A durable sleep interrupted by a crash resumes at its stored wake-up time: the time
    /// that passed while no runtime ran counts.
    @Test(arguments: Backend.available)
    func aSleepRecoveredAfterACrashEndsAtItsStoredWakeUp(backend: Backend) async throws {
        let counter = Counter()
        let nap = Workflow("nap") { () async throws -> String in
            _ = try await DBOS.step("before") { counter.hit("before") }
            try await DBOS.sleep(for: .seconds(3600))
            return try await DBOS.step("after") { counter.hit("after"); return "awake" }
        }
        let runtime = try await Self.runtime(backend) { try $0.register(nap) }
        try await runtime.launch()
        _ = try await runtime.dbos.start(nap, options: WorkflowOptions(workflowID: "nap-1"))
        await runtime.clock.waitForSleepers()
        await runtime.crash()
        await runtime.advance(by: .seconds(1800))   // half the hour passes while nothing runs

        let report = try await runtime.restart()
        #expect(report.recovered == ["nap-1"])
        await runtime.clock.waitForSleepers()
        #expect(runtime.clock.pendingDeadlines == [Self.start.addingTimeInterval(3600)], "the recovered sleep keeps its wake-up time")
        await runtime.advance(by: .seconds(1800))
        #expect(try await runtime.dbos.retrieve("nap-1", as: String.self).result() == "awake")
        #expect(counter.count("before") == 1)
        #expect(counter.count("after") == 1)
        let sleep = try #require(try await runtime.dbos.listSteps("nap-1").first { $0.functionName == "DBOS.sleep" })
        #expect(sleep.startedAt == Self.start && sleep.completedAt == Self.start.addingTimeInterval(3600),
                "the sleep's row spans the sleep, as DBOS records it")
        await runtime.shutdown()
    }

    /// A workflow timeout is a deadline on the clock: when it passes, the waiting workflow is
    /// cancelled.
    @Test(arguments: Backend.available)
    func aWorkflowTimeoutCancelsTheWorkflowWhenTheClockPassesIt(backend: Backend) async throws {
        let patient = Workflow("patient") { () async throws -> String in
            try await DBOS.receive(String.self, topic: "never", timeout: .seconds(86_400)) ?? "expired"
        }
        let runtime = try await Self.runtime(backend) { try $0.register(patient) }
        try await runtime.launch()
        let handle = try await runtime.dbos.start(patient, options: WorkflowOptions(workflowID: "timed", timeout: .seconds(3600)))
        #expect(try await handle.status().deadline == Self.start.addingTimeInterval(3600))
        await runtime.clock.waitForSleepers()
        await runtime.advance(by: .seconds(3601))
        await #expect(throws: DBOSError.workflowCancelled(workflowID: "timed")) { try await handle.result() }
        #expect(try await handle.status().state == .cancelled)
        await runtime.shutdown()
    }

    /// A fork can have a timeout of its own and a queue (DBOS 3.4's `fork_workflow(timeout_seconds:,
    /// queue_name:)`): it waits on that queue, and its deadline starts when it is dequeued. Without
    /// one it does not inherit the original's.
    @Test(arguments: Backend.available)
    func aForkTakesATimeoutAndAQueueOfItsOwn(backend: Backend) async throws {
        let patient = Workflow("patientFork") { () async throws -> String in
            try await DBOS.receive(String.self, topic: "go", timeout: .seconds(86_400)) ?? "expired"
        }
        let queue = Queue("forks")
        let runtime = try await Self.runtime(backend) { try $0.register(patient); try $0.register(queues: queue) }
        try await runtime.launch()
        let original = try await runtime.dbos.start(patient, options: WorkflowOptions(workflowID: "original", timeout: .seconds(7200)))
        try await runtime.dbos.send("now", to: "original", topic: "go")
        #expect(try await original.result() == "now")

        let plain = try await original.fork(fromStep: 1)
        await runtime.clock.waitForSleepers()
        let plainStatus = try await plain.status()
        #expect(plainStatus.timeout == nil && plainStatus.deadline == nil, "the original's timeout is not copied")
        #expect(plainStatus.queueName == "_dbos_internal_queue")
        try await runtime.dbos.send("again", to: plain.workflowID, topic: "go")
        #expect(try await plain.result() == "again")

        let timed = try await original.fork(fromStep: 1, queueName: "forks", timeout: .seconds(600))
        #expect(try await timed.status().queueName == "forks")
        await runtime.clock.waitForSleepers()
        let status = try await timed.status()
        #expect(status.timeout == .seconds(600) && status.deadline == Self.start.addingTimeInterval(600))
        await runtime.advance(by: .seconds(601))
        await #expect(throws: DBOSError.workflowCancelled(workflowID: timed.workflowID)) { try await timed.result() }

        let bad = await #expect(throws: DBOSError.self) { _ = try await original.fork(fromStep: 1, timeout: .zero) }
        #expect(bad?.code == .invalidArgument)
        await runtime.shutdown()
    }

    /// A delayed workflow stays DELAYED until the clock reaches its delay, then runs.
    @Test(arguments: Backend.available)
    func aDelayedWorkflowRunsWhenTheClockReachesItsDelay(backend: Backend) async throws {
        let work = Workflow("later") { (word: String) async throws -> String in word.uppercased() }
        let queue = Queue("delays")
        let runtime = try await Self.runtime(backend) { dbos in
            try dbos.register(work)
            try dbos.register(queues: queue)
        }
        try await runtime.launch()
        let handle = try await runtime.dbos.enqueue(work, "soon", on: queue, options: EnqueueOptions(delay: .seconds(7200)))
        #expect(try await handle.status().state == .delayed)
        await runtime.advance(by: .seconds(7199))
        #expect(try await handle.status().state == .delayed)
        await runtime.advance(by: .seconds(1))
        #expect(try await handle.result() == "SOON")
        #expect(try await handle.status().startedAt == Self.start.addingTimeInterval(7200))
        await runtime.shutdown()
    }

    /// 20 per 2 s: of 100 workflows enqueued at once, exactly 20 start in each window, and the
    /// next 20 only once the clock enters the next window.
    @Test(arguments: Backend.available)
    func aRateLimitStartsOneWindowsWorthPerWindow(backend: Backend) async throws {
        let work = Workflow("limited") { (word: String) async throws -> String in word }
        let queue = Queue("limited-rate", rateLimit: RateLimit(limit: 20, period: .seconds(2)))
        let runtime = try await Self.runtime(backend) { dbos in
            try dbos.register(work)
            try dbos.register(queues: queue)
        }
        try await runtime.launch()
        for index in 0..<100 { _ = try await runtime.dbos.enqueue(work, "r\(index)", on: queue) }
        for window in 1...5 {
            try await eventually("\(20 * window) workflows to finish") {
                try await runtime.dbos.listWorkflows(ListWorkflowsFilter(status: [.success], queueName: "limited-rate")).count == 20 * window
            }
            if window < 5 { await runtime.advance(by: .seconds(2)) }
        }
        let started = try await runtime.dbos.listWorkflows(ListWorkflowsFilter(queueName: "limited-rate")).compactMap(\.startedAt)
        let perWindow = Dictionary(grouping: started) { $0.timeIntervalSince(Self.start) }.mapValues(\.count)
        #expect(perWindow == [0: 20, 2: 20, 4: 20, 6: 20, 8: 20], "each window started exactly its limit")
        await runtime.shutdown()
    }

    /// A cron schedule fires once per tick the clock passes, with the tick's time as input.
    @Test(arguments: Backend.available)
    func cronTicksFireAsTheClockPassesThem(backend: Backend) async throws {
        let tick = Workflow("minutely") { (scheduledAt: Date) async throws -> Date in scheduledAt }
        let runtime = try await Self.runtime(backend) { dbos in
            try dbos.register(tick)
            try dbos.schedule("minutely", cron: "0 * * * * *", workflow: tick)
        }
        try await runtime.launch()
        await runtime.clock.waitForSleepers()
        await runtime.advance(by: .seconds(180))
        let ticks = [60.0, 120, 180].map { Self.start.addingTimeInterval($0) }
        try await eventually("three ticks to run") {
            try await runtime.dbos.listWorkflows(ListWorkflowsFilter(workflowIDPrefix: "sched-minutely-", status: [.success])).count == 3
        }
        let outputs = try await runtime.dbos.listWorkflows(ListWorkflowsFilter(workflowIDPrefix: "sched-minutely-"))
            .map { try $0.decodedOutput(as: Date.self) }.sorted()
        #expect(outputs == ticks)
        await runtime.shutdown()
    }

    /// A step timeout is a deadline on the clock: the attempt stuck in its body fails with
    /// ``DBOSError/Code/stepTimedOut`` when the clock passes it.
    @Test(arguments: Backend.available)
    func aStepTimeoutEndsTheAttemptWhenTheClockPassesIt(backend: Backend) async throws {
        let stuck = Workflow("stuck") { () async throws -> String in
            do {
                return try await DBOS.step("hang", timeout: .seconds(600)) { () async throws -> String in
                    try await Task.sleep(for: .seconds(86_400))   // stands for a call that never answers; cancelled at the timeout
                    return "answered"
                }
            } catch DBOSError.Code.stepTimedOut {
                return "gave up"
            }
        }
        let runtime = try await Self.runtime(backend) { try $0.register(stuck) }
        try await runtime.launch()
        let handle = try await runtime.dbos.start(stuck)
        await runtime.clock.waitForSleepers()
        await runtime.advance(by: .seconds(600))
        #expect(try await handle.result() == "gave up")
        await runtime.shutdown()
    }
}
