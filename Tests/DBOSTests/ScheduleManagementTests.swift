import DBOSTestSupport
import DBOSTesting
import Foundation
import Testing
@testable import DBOS

/// Managing stored schedules (issue 15), as DBOS 3.4 does: get, pause, resume, trigger now and
/// backfill a window, from the runtime and from a client, on the test clock.
@Suite(.timeLimit(.minutes(5))) struct ScheduleManagementTests {
    static let start = Date(timeIntervalSince1970: 1_798_761_600)   // 2027-01-01T00:00:00Z
    static let minutely = try! CronSchedule("0 * * * * *")

    static let report = Workflow("minutelyReport") { (tick: Date, context: String) async throws -> String in
        "\(context) at \(minutely.isoformat(tick))"
    }

    static func runs(_ client: some WorkflowManaging) async throws -> [String] {
        try await client.listWorkflows(ListWorkflowsFilter(workflowIDPrefix: "sched-report-")).map(\.workflowID).sorted()
    }

    @Test(arguments: Backend.available)
    func pauseResumeTriggerAndBackfill(backend: Backend) async throws {
        try await withTestRuntime(database: .url(try await backend.freshDatabaseURL("schedmgmt")), clock: TestClock(now: Self.start), register: { dbos in
            try dbos.register(Self.report)
            try dbos.schedule("report", cron: "0 * * * * *", workflow: Self.report, context: "daily")
        }) { runtime in
            let dbos = runtime.dbos
            let stored = try #require(try await dbos.getSchedule("report"))
            #expect(stored.cron == "0 * * * * *" && stored.status == "ACTIVE" && stored.workflowName == "minutelyReport")
            #expect(try await dbos.getSchedule("nothing") == nil)

            // Paused: the 00:01 tick passes without a run (the loop is asleep again once it has looked).
            try await dbos.pauseSchedule("report")
            #expect(try await dbos.getSchedule("report")?.status == "PAUSED")
            await runtime.clock.waitForSleepers()
            await runtime.advance(by: .seconds(60))
            await runtime.clock.waitForSleepers()
            #expect(try await Self.runs(dbos).isEmpty)

            // Resumed: the 00:02 tick runs.
            try await dbos.resumeSchedule("report")
            await runtime.advance(by: .seconds(60))
            await runtime.clock.waitForSleepers()                  // the tick was handled
            let second = "sched-report-2027-01-01T00:02:00+00:00"
            #expect(try await dbos.retrieve(second, as: String.self).result() == "daily at 2027-01-01T00:02:00+00:00")

            // Triggered: now, under its own ID, whatever the cron says.
            await runtime.advance(by: .milliseconds(15_250))
            let triggered = try await dbos.triggerSchedule("report")
            #expect(triggered == "sched-report-trigger-2027-01-01T00:02:15.250000+00:00")
            #expect(try await dbos.retrieve(triggered, as: String.self).result() == "daily at 2027-01-01T00:02:15.250000+00:00")

            // Backfilled: the missed 00:01 tick (and 00:02, which already ran, is not run again).
            let backfilled = try await dbos.backfillSchedule("report", from: Self.start, to: Self.start.addingTimeInterval(150))
            #expect(backfilled == ["sched-report-2027-01-01T00:01:00+00:00", second])
            #expect(try await dbos.retrieve(backfilled[0], as: String.self).result() == "daily at 2027-01-01T00:01:00+00:00")
            #expect(try await Self.runs(dbos) == [backfilled[0], second, triggered].sorted())
            #expect(try await dbos.listWorkflows(ListWorkflowsFilter(workflowIDs: [second])).first?.state == .success)

            // A client does the same on the stored row.
            let client = try await DBOSClient(databaseURL: runtime.databaseURL, clock: runtime.clock)
            try await client.pauseSchedule("report")
            #expect(try await client.getSchedule("report")?.status == "PAUSED")
            let fromClient = try await client.triggerSchedule("report")
            #expect(try await client.result(of: fromClient, as: String.self, timeout: .seconds(60)) == "daily at 2027-01-01T00:02:15.250000+00:00")
            #expect(try await client.backfillSchedule("report", from: Self.start, to: Self.start.addingTimeInterval(150)) == backfilled,
                    "a second backfill finds every tick's run there")
            await #expect(throws: DBOSError.invalidArgument("schedule 'nothing' does not exist")) { try await client.pauseSchedule("nothing") }
            await #expect(throws: DBOSError.invalidArgument("schedule 'nothing' does not exist")) { try await client.triggerSchedule("nothing") }
            await client.close()
        }
    }

    @Test(arguments: Backend.available)
    func triggerAndBackfillAreRefusedInsideAWorkflow(backend: Backend) async throws {
        let inside = Workflow("triggersInside") { () async throws -> String in
            do {
                _ = try await #require(DBOS.currentRuntime).triggerSchedule("any")
                return "triggered"
            } catch let error as DBOSError {
                return error.message
            }
        }
        try await withTestRuntime(database: .url(try await backend.freshDatabaseURL("schedmgmt")), register: { try $0.register(inside) }) { runtime in
            let answer = try await runtime.dbos.run(inside)
            #expect(answer.hasSuffix("triggerSchedule cannot be called from within a workflow"), "\(answer)")
        }
    }
}
