import DBOSTestSupport
import DBOSTesting
import Foundation
import Testing
@testable import DBOS

/// Cron parsing and next-tick computation; expected ticks were checked against croniter 7.0
/// with `second_at_beginning=True` (what DBOS Python uses).
@Suite struct CronScheduleTests {
    static let utc = TimeZone(identifier: "UTC")!

    static func date(_ text: String) -> Date { RFC3339.date(from: text)! }

    /// The first `count` ticks after `start`, as Python isoformat text.
    static func ticks(_ expression: String, after start: String, _ count: Int, timeZone: TimeZone = utc) throws -> [String] {
        let cron = try CronSchedule(expression, timeZone: timeZone)
        var current = date(start)
        var result: [String] = []
        for _ in 0..<count {
            guard let next = cron.next(after: current) else { break }
            result.append(cron.isoformat(next))
            current = next
        }
        return result
    }

    @Test func sixFieldsPutSecondsFirst() throws {
        #expect(try Self.ticks("* * * * * *", after: "2026-11-30T01:10:04Z", 3)
            == ["2026-11-30T01:10:05+00:00", "2026-11-30T01:10:06+00:00", "2026-11-30T01:10:07+00:00"])
        #expect(try Self.ticks("30 5 * * * *", after: "2026-01-01T00:00:00Z", 2)
            == ["2026-01-01T00:05:30+00:00", "2026-01-01T01:05:30+00:00"])
        #expect(try Self.ticks("10/20 * * * * *", after: "2026-01-01T00:00:00Z", 4)
            == ["2026-01-01T00:00:10+00:00", "2026-01-01T00:00:30+00:00", "2026-01-01T00:00:50+00:00", "2026-01-01T00:01:10+00:00"])
    }

    @Test func fiveFieldsFireAtSecondZero() throws {
        #expect(try Self.ticks("*/15 * * * *", after: "2026-01-01T00:00:00Z", 4)
            == ["2026-01-01T00:15:00+00:00", "2026-01-01T00:30:00+00:00", "2026-01-01T00:45:00+00:00", "2026-01-01T01:00:00+00:00"])
        #expect(try Self.ticks("@hourly", after: "2026-01-01T00:30:00Z", 2) == ["2026-01-01T01:00:00+00:00", "2026-01-01T02:00:00+00:00"])
    }

    @Test func nextIsStrictlyAfterAndOnWholeSeconds() throws {
        let cron = try CronSchedule("* * * * * *")
        #expect(cron.next(after: Self.date("2026-01-01T00:00:00.000Z")) == Self.date("2026-01-01T00:00:01Z"))
        #expect(cron.next(after: Self.date("2026-01-01T00:00:00.999Z")) == Self.date("2026-01-01T00:00:01Z"))
    }

    @Test func rangesListsStepsAndNames() throws {
        #expect(try Self.ticks("0 1-10/3 * * * *", after: "2026-01-01T00:00:00Z", 5)
            == ["2026-01-01T00:01:00+00:00", "2026-01-01T00:04:00+00:00", "2026-01-01T00:07:00+00:00",
                "2026-01-01T00:10:00+00:00", "2026-01-01T01:01:00+00:00"])
        #expect(try Self.ticks("0 12 * jan,jul mon-fri", after: "2026-01-29T00:00:00Z", 4)
            == ["2026-01-29T12:00:00+00:00", "2026-01-30T12:00:00+00:00", "2026-07-01T12:00:00+00:00", "2026-07-02T12:00:00+00:00"])
        #expect(try Self.ticks("0 0 * * mon", after: "2026-02-01T00:00:00Z", 3)
            == ["2026-02-02T00:00:00+00:00", "2026-02-09T00:00:00+00:00", "2026-02-16T00:00:00+00:00"])
        #expect(try Self.ticks("0 0 * * fri-mon", after: "2026-02-01T00:00:00Z", 5)
            == ["2026-02-02T00:00:00+00:00", "2026-02-06T00:00:00+00:00", "2026-02-07T00:00:00+00:00",
                "2026-02-08T00:00:00+00:00", "2026-02-09T00:00:00+00:00"])
        #expect(try Self.ticks("0 22-2/2 * * *", after: "2026-01-01T00:30:00Z", 4)
            == ["2026-01-01T02:00:00+00:00", "2026-01-01T22:00:00+00:00", "2026-01-02T00:00:00+00:00", "2026-01-02T02:00:00+00:00"])
        #expect(try CronSchedule("0 0 * * 7").next(after: Self.date("2026-02-02T00:00:00Z")) == Self.date("2026-02-08T00:00:00Z"))
    }

    @Test func restrictedDayOfMonthAndDayOfWeekMatchEither() throws {
        #expect(try Self.ticks("0 0 13 * 5", after: "2026-02-01T00:00:00Z", 5)
            == ["2026-02-06T00:00:00+00:00", "2026-02-13T00:00:00+00:00", "2026-02-20T00:00:00+00:00",
                "2026-02-27T00:00:00+00:00", "2026-03-06T00:00:00+00:00"])
        #expect(try Self.ticks("0 0 */2 * 1", after: "2026-02-01T00:00:00Z", 5)
            == ["2026-02-02T00:00:00+00:00", "2026-02-03T00:00:00+00:00", "2026-02-05T00:00:00+00:00",
                "2026-02-07T00:00:00+00:00", "2026-02-09T00:00:00+00:00"])
        #expect(try Self.ticks("0 0 1-31 * 1-5", after: "2026-02-06T00:00:00Z", 3)
            == ["2026-02-07T00:00:00+00:00", "2026-02-08T00:00:00+00:00", "2026-02-09T00:00:00+00:00"])
    }

    @Test func rareAndImpossibleDates() throws {
        #expect(try Self.ticks("0 0 29 2 *", after: "2026-03-01T00:00:00Z", 2) == ["2028-02-29T00:00:00+00:00", "2032-02-29T00:00:00+00:00"])
        let started = ContinuousClock.now
        #expect(try CronSchedule("0 0 30 2 *").next(after: Self.date("2026-01-01T00:00:00Z")) == nil)
        #expect(ContinuousClock.now - started < .seconds(30), "February 30th is ruled out field by field, not second by second")
    }

    @Test func timeZones() throws {
        let newYork = try #require(TimeZone(identifier: "America/New_York"))
        #expect(try Self.ticks("0 0 9 * * *", after: "2026-01-15T05:00:00Z", 2, timeZone: newYork)
            == ["2026-01-15T09:00:00-05:00", "2026-01-16T09:00:00-05:00"])
        let cron = try CronSchedule("0 0 9 * * *", timeZone: newYork)
        #expect(cron.next(after: Self.date("2026-07-01T00:00:00Z")) == Self.date("2026-07-01T13:00:00Z"), "summer time is UTC-4")
        // 2026-03-08 02:30 does not exist in New York; the next existing minute-30 tick is 03:30.
        #expect(try Self.ticks("0 30 * * * *", after: "2026-03-08T06:45:00Z", 2, timeZone: newYork)
            == ["2026-03-08T03:30:00-04:00", "2026-03-08T04:30:00-04:00"])
    }

    @Test func isoformatMatchesPython() throws {
        let cron = try CronSchedule("* * * * * *")
        #expect(cron.isoformat(Self.date("2026-11-30T01:10:05Z")) == "2026-11-30T01:10:05+00:00")
        #expect(cron.isoformat(Self.date("2026-11-30T01:10:05.250Z")) == "2026-11-30T01:10:05.250000+00:00")
    }

    @Test(arguments: [
        ("61 * * * *", "field 'minute' value 61 out of range 0-59"),
        ("60 * * * * *", "field 'second' value 60 out of range 0-59"),
        ("0 0 32 * *", "field 'day-of-month' value 32 out of range 1-31"),
        ("0 0 * 13 *", "field 'month' value 13 out of range 1-12"),
        ("0 0 * * 8", "field 'day-of-week' value 8 out of range 0-7"),
        ("* * *", "expected 5 fields"),
        ("* * * * * * *", "found 7"),
        ("*/0 * * * *", "field 'minute' step '0' must be a positive number"),
        ("0 0 * foo *", "field 'month' value 'foo' is not a number or a name (jan...dec)"),
        ("0 0 L * *", "field 'day-of-month' uses 'l', which is not supported"),
        ("0 0 * * 1#2", "field 'day-of-week' uses '1#2'"),
        ("1,,2 * * * *", "field 'minute' has an empty list item"),
        ("? * * * *", "field 'minute' '?' is only allowed in the day fields"),
    ])
    func invalidExpressionsNameTheField(expression: String, message: String) throws {
        let error = try #require(throws: DBOSError.self) { try CronSchedule(expression) }
        #expect(error.code == .invalidArgument, "\(error)")
        let text = error.message
        #expect(text.hasPrefix("invalid argument: cron '\(expression)': "), "\(text)")
        #expect(text.contains(message), "\(text)")
    }
}

/// What the scheduled test workflow returns: the inputs it was given.
struct ScheduledRun: Codable, Sendable, Equatable {
    var scheduledAt: Date
    var context: String
}

/// Scheduled workflows on a real database: IDs, inputs, rows, and exactly one workflow per
/// tick across runtimes and processes.
@Suite struct ScheduleTests {
    static let everySecond = try! CronSchedule("* * * * * *")

    /// The test clock's start: a whole second, so the ticks after it are exact.
    static let start = Date(timeIntervalSince1970: 1_798_761_600)   // 2027-01-01T00:00:00Z

    /// Runs `body` on a launched runtime whose clock stands at ``start`` until the body advances
    /// it, with the workflows and schedules `register` registers.
    static func withScheduler(_ url: String, register: @escaping @Sendable (DBOS) throws -> Void,
                              body: (TestRuntime) async throws -> Void) async throws {
        try await withTestRuntime(database: .url(url), clock: TestClock(now: start), register: register, body)
    }

    /// The ticks named by `sched-<name>-<isoformat>` IDs (UTC), sorted; nil entries are dropped.
    static func ticks(of statuses: [WorkflowStatus], prefix: String) -> [Date] {
        statuses.compactMap { status -> Date? in
            let text = String(status.workflowID.dropFirst(prefix.count))
            return text.hasSuffix("+00:00") ? RFC3339.date(from: String(text.dropLast(6)) + "Z") : nil
        }.sorted()
    }

    static func scheduledRuns(_ dbos: DBOS, prefix: String, status: [WorkflowState]? = [.success]) async throws -> [WorkflowStatus] {
        try await dbos.listWorkflows(ListWorkflowsFilter(workflowIDPrefix: prefix, status: status))
    }

    @Test(arguments: Backend.available)
    func everySecondScheduleEnqueuesOneWorkflowPerTick(backend: Backend) async throws {
        let counter = Counter()
        let tick = Workflow("scheduledTick") { (scheduledAt: Date, context: String) async throws -> ScheduledRun in
            _ = try await DBOS.step("count") { counter.hit(CronScheduleTests.everySecondID(scheduledAt)) }
            return ScheduledRun(scheduledAt: scheduledAt, context: context)
        }
        try await Self.withScheduler(try await backend.freshDatabaseURL("sched"), register: { dbos in
            try dbos.register(tick)
            try dbos.schedule("every-second", cron: "* * * * * *", workflow: tick, context: "ctx")
        }) { runtime in
            let dbos = runtime.dbos
            await runtime.clock.waitForSleepers()
            await runtime.advance(by: .seconds(3))
            try await eventually("three scheduled runs") { try await Self.scheduledRuns(dbos, prefix: "sched-every-second-").count == 3 }
            let runs = try await Self.scheduledRuns(dbos, prefix: "sched-every-second-")
            for run in runs {
                let output = try run.decodedOutput(as: ScheduledRun.self)
                #expect(run.workflowID == "sched-every-second-" + Self.everySecond.isoformat(output.scheduledAt))
                #expect(run.workflowID.wholeMatch(of: /sched-every-second-\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00/) != nil, "\(run.workflowID)")
                #expect(output.context == "ctx")
                #expect(output.scheduledAt.timeIntervalSince1970 == output.scheduledAt.timeIntervalSince1970.rounded())
                #expect(output.scheduledAt > Self.start)
                #expect(run.queueName == "_dbos_internal_queue")
                #expect(run.name == "scheduledTick")
                #expect(counter.count(run.workflowID) == 1, "the body of \(run.workflowID) ran once")
                let input = try #require(run.input)
                #expect(input == "{\"positionalArgs\":[\"\(RFC3339.string(from: output.scheduledAt))\",\"ctx\"],\"namedArgs\":{}}")
            }
            let all = try await Self.scheduledRuns(dbos, prefix: "sched-every-second-", status: nil)
            let ticks = Self.ticks(of: all, prefix: "sched-every-second-")
            #expect(ticks == [1.0, 2, 3].map { Self.start.addingTimeInterval($0) }, "one run per tick the clock passed, no gap")

            let tagged = try await dbos.rawSQL(
                "SELECT count(*) AS n FROM dbos.workflow_status WHERE schedule_name = \("every-second")")
            #expect((tagged.first?.int("n") ?? 0) >= runs.count, "runs carry their schedule's name")
            let stored = try #require(try await dbos.listSchedules().first { $0.name == "every-second" })
            #expect(stored.workflowName == "scheduledTick")
            #expect(stored.cron == "* * * * * *")
            #expect(stored.status == "ACTIVE")
            #expect(stored.context == "\"ctx\"")
            #expect(stored.queueName == nil)
            let lastFired = try #require(stored.lastFiredAt)
            // Ticks fire in order, so the one before the newest row has surely been recorded.
            #expect(lastFired >= Self.everySecond.isoformat(ticks[1]))
        }
    }

    @Test(arguments: Backend.available)
    func scheduleWithoutContextOnAQueue(backend: Backend) async throws {
        let tick = Workflow("scheduledNoContext") { (scheduledAt: Date) async throws -> Date in scheduledAt }
        let queue = Queue("scheduled_queue")
        try await Self.withScheduler(try await backend.freshDatabaseURL("sched"), register: { dbos in
            try dbos.register(tick)
            try dbos.register(queues: queue)
            try dbos.schedule("on-queue", cron: "* * * * * *", workflow: tick, queue: queue)
        }) { runtime in
            let dbos = runtime.dbos
            await runtime.clock.waitForSleepers()
            await runtime.advance(by: .seconds(1))
            try await eventually("a scheduled run") { try await Self.scheduledRuns(dbos, prefix: "sched-on-queue-").isEmpty == false }
            let run = try #require(try await Self.scheduledRuns(dbos, prefix: "sched-on-queue-").first)
            #expect(run.queueName == "scheduled_queue")
            let scheduledAt = try run.decodedOutput(as: Date.self)
            #expect(run.workflowID == "sched-on-queue-" + Self.everySecond.isoformat(scheduledAt))
            #expect(run.input == "{\"positionalArgs\":[\"\(RFC3339.string(from: scheduledAt))\"],\"namedArgs\":{}}")
            #expect(try await dbos.listSchedules().map(\.queueName) == ["scheduled_queue"])
            #expect(try await dbos.listSchedules().map(\.context) == ["null"])
        }
    }

    @Test(arguments: Backend.available)
    func badSchedulesAreRejectedAtRegistration(backend: Backend) async throws {
        let tick = Workflow("scheduledTick") { (scheduledAt: Date, context: Int) async throws -> Int in context }
        let other = Workflow("notRegistered") { (scheduledAt: Date) async throws -> Int in 1 }
        let dbos = try DBOS(config: DBOSConfig(name: "test", systemDatabaseURL: try await backend.freshDatabaseURL("sched")))
        try dbos.register(tick)

        #expect(throws: DBOSError.invalidArgument("cron '* 25 * * *': field 'hour' value 25 out of range 0-23")) {
            try dbos.schedule("bad-cron", cron: "* 25 * * *", workflow: tick, context: 1)
        }
        #expect(throws: DBOSError.registrationError("register workflow 'notRegistered' before scheduling it as 'unregistered'")) {
            try dbos.schedule("unregistered", cron: "* * * * *", workflow: other)
        }
        #expect(throws: DBOSError.registrationError("register queue 'missing' before scheduling 'no-queue' on it")) {
            try dbos.schedule("no-queue", cron: "* * * * *", workflow: tick, context: 1, queue: Queue("missing"))
        }
        #expect(throws: DBOSError.invalidArgument("a schedule name must not be empty")) {
            try dbos.schedule("", cron: "* * * * *", workflow: tick, context: 1)
        }
        try dbos.schedule("hourly", cron: "@hourly", workflow: tick, context: 1)
        #expect(throws: DBOSError.registrationError("a schedule named 'hourly' is already registered")) {
            try dbos.schedule("hourly", cron: "@daily", workflow: tick, context: 2)
        }
        try await dbos.launch()
        #expect(throws: DBOSError.registrationError("register schedules before launch()")) {
            try dbos.schedule("late", cron: "@daily", workflow: tick, context: 3)
        }
        #expect(try await dbos.listSchedules().map(\.name) == ["hourly"])
        await dbos.shutdown()
    }

    /// Fires chosen ticks directly (no waiting on the clock): two runtimes firing the same tick
    /// make one workflow; a paused or deleted schedule fires nothing.
    @Test(arguments: Backend.available)
    func firingIsIdempotentAndFollowsTheStoredRow(backend: Backend) async throws {
        let url = try await backend.freshDatabaseURL("sched")
        let tick = Workflow("scheduledTick") { (scheduledAt: Date, context: String) async throws -> String in context }
        func runtime() async throws -> DBOS {
            let dbos = try DBOS(config: DBOSConfig(name: "test", systemDatabaseURL: url, applicationVersion: "test-version"))
            try dbos.register(tick)
            try dbos.schedule("yearly", cron: "0 0 0 1 1 *", workflow: tick, context: "c")
            try await dbos.launch()
            return dbos
        }
        let first = try await runtime()
        let second = try await runtime()
        let registered = try #require(first.schedules.registered.first)
        let newYear = CronScheduleTests.date("2030-01-01T00:00:00Z")

        try await first.fire(registered, at: newYear)
        try await second.fire(registered, at: newYear)
        let id = "sched-yearly-2030-01-01T00:00:00+00:00"
        try await eventually("the tick's workflow to finish") { try await first.getWorkflowStatus(id)?.state == .success }
        #expect(try await first.listWorkflows(ListWorkflowsFilter(workflowIDPrefix: "sched-yearly-")).map(\.workflowID) == [id])
        #expect(try await first.listSchedules().first?.lastFiredAt == "2030-01-01T00:00:00+00:00")

        _ = try await first.rawSQL("UPDATE dbos.workflow_schedules SET status = 'PAUSED' WHERE schedule_name = \("yearly")")
        let paused = CronScheduleTests.date("2031-01-01T00:00:00Z")
        try await second.fire(registered, at: paused)
        #expect(try await first.getWorkflowStatus("sched-yearly-2031-01-01T00:00:00+00:00") == nil, "a paused schedule does not fire")

        #expect(try await first.deleteSchedule("yearly"))
        #expect(try await first.deleteSchedule("yearly") == false)
        #expect(try await first.listSchedules().isEmpty)
        try await second.fire(registered, at: paused)
        #expect(try await first.getWorkflowStatus("sched-yearly-2031-01-01T00:00:00+00:00") == nil, "a deleted schedule does not fire")
        await first.shutdown()
        await second.shutdown()
    }

    /// The acceptance test: two real processes on one database, each with the same
    /// every-second schedule, for about five seconds. Every tick in the window has exactly one
    /// workflow, and each tick's body ran once.
    @Test(arguments: Backend.available)
    func twoProcessesFireEachTickOnce(backend: Backend) async throws {
        let run = try await FixtureRun(backend: backend)
        let client = try await DBOSClient(databaseURL: run.databaseURL)
        _ = try await client.migrate()

        let processes = try (1...2).map { index in
            try run.launch(["--schedule", "5"], environment: ["DBOS__VMID": "scheduler-\(index)"])
        }
        for process in processes {
            #expect(try await process.waitForExit() == 0, "\(process.output)")
            #expect(process.output.contains("RESULT \"scheduled\""))
        }

        let all = try await client.listWorkflows(ListWorkflowsFilter(workflowIDPrefix: "sched-every-second-"))
        let ticks = Self.ticks(of: all, prefix: "sched-every-second-")
        #expect(ticks.count == all.count, "every ID is sched-every-second-<isoformat>: \(all.map(\.workflowID))")
        #expect(ticks.count >= 3, "about five ticks in five seconds, found \(ticks.count)")
        for (earlier, later) in zip(ticks, ticks.dropFirst()) {
            #expect(later.timeIntervalSince(earlier) == 1, "no missing tick between \(earlier) and \(later)")
        }
        let lines = run.counterLines()
        #expect(Set(lines).count == lines.count, "each tick's body ran once: \(lines)")
        #expect(Set(lines).isSubset(of: ticks.map { "tick " + $0.formatted(.iso8601) }), "\(lines)")
        let succeeded = all.filter { $0.state == .success }
        #expect(succeeded.count >= 2)
        for status in succeeded {
            let output = try status.decodedOutput(as: String.self)
            #expect(lines.filter { "fixture " + $0.dropFirst("tick ".count) == output }.count == 1, "\(status.workflowID)")
        }
        #expect(Set(all.compactMap(\.executorID)).isSubset(of: ["scheduler-1", "scheduler-2"]))
        await client.close()
    }
}

extension CronScheduleTests {
    static func everySecondID(_ date: Date) -> String { "sched-every-second-" + ScheduleTests.everySecond.isoformat(date) }
}
