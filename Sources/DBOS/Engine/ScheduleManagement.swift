import Foundation

/// Managing stored schedules from any process (DBOS 3.4's `get_schedule`, `pause_schedule`,
/// `resume_schedule`, `trigger_schedule`, `backfill_schedule`), shared by runtimes and clients.
extension WorkflowService {
    /// The stored schedule named `name`.
    ///
    /// - Throws: ``DBOSError/Code/invalidArgument`` when there is none.
    func existingSchedule(_ name: String) async throws -> ScheduleRow {
        guard let row = try await systemDatabase.schedule(named: name) else {
            throw DBOSError.invalidArgument("schedule '\(name)' does not exist")
        }
        return row
    }

    /// Pauses (`active` false) or resumes a schedule: a paused schedule's ticks pass without a run.
    func setSchedule(_ name: String, active: Bool) async throws {
        guard try await systemDatabase.setScheduleStatus(named: name, status: active ? "ACTIVE" : "PAUSED") else {
            throw DBOSError.invalidArgument("schedule '\(name)' does not exist")
        }
    }

    /// Enqueues the schedule's workflow now, as DBOS 3.4 does: ID `sched-<name>-trigger-<now>`,
    /// the current time as its tick. Returns the ID.
    func triggerSchedule(_ name: String, runs: ScheduledRuns) async throws -> String {
        let row = try await existingSchedule(name)
        let now = clock.now
        let workflowID = "sched-\(name)-trigger-\(try cron(of: row).isoformat(now))"
        try await enqueueRun(of: row, at: now, workflowID: workflowID, runs: runs)
        return workflowID
    }

    /// Enqueues the runs of every tick strictly between `start` and `end` that has none yet,
    /// with the live scheduler's IDs (`sched-<name>-<tick>`), so ticks that already ran are
    /// skipped. Returns the IDs of every tick in the window, oldest first.
    func backfillSchedule(_ name: String, from start: Date, to end: Date, runs: ScheduledRuns) async throws -> [String] {
        let row = try await existingSchedule(name)
        let cron = try cron(of: row)
        var ids: [String] = []
        var after = start
        while let tick = cron.next(after: after), tick < end {
            let workflowID = "sched-\(name)-\(cron.isoformat(tick))"
            if try await systemDatabase.workflowStatus(workflowID: workflowID) == nil {
                try await enqueueRun(of: row, at: tick, workflowID: workflowID, runs: runs)
            }
            ids.append(workflowID)
            after = tick
        }
        return ids
    }

    private func cron(of row: ScheduleRow) throws -> CronSchedule {
        let zone = row.timeZone.flatMap(TimeZone.init(identifier:)) ?? TimeZone(identifier: "UTC")!
        return try CronSchedule(row.cron, timeZone: zone)
    }

    private func enqueueRun(of row: ScheduleRow, at tick: Date, workflowID: String, runs: ScheduledRuns) async throws {
        let passesContext = runs.passesContext(row)
        let inputs = PortableJSON.arguments(encoded: [try PortableJSON.encode(tick)] + (passesContext ? [row.context] : []))
        let queue = row.queueName ?? QueueDefinition.internalQueueName
        var insert = try WorkflowInsert(queued: row.workflowName, inputs: inputs, queue: queue,
                                        options: EnqueueOptions(workflowID: workflowID), executorID: nil,
                                        applicationVersion: runs.applicationVersion, now: clock.now)
        insert.scheduleName = row.name
        _ = try await self.insert(insert, onDuplicate: .throwError)
        hub.signal(WakeupHub.queueKey(queue))
    }
}

/// How a caller's scheduled runs are enqueued: a runtime knows whether the workflow takes the
/// context and enqueues under its own application version; a client guesses the first from the
/// stored context (`null`: none) and leaves the version open.
struct ScheduledRuns: Sendable {
    var applicationVersion: String?
    var passesContext: @Sendable (ScheduleRow) -> Bool
}
