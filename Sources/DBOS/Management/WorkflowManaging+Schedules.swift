public import Foundation

/// Managing the schedules stored in the system database, as DBOS 3.4 does: read one, pause and
/// resume it, run it now, and run the ticks of a past window. Works on schedules registered
/// by any process or language.
extension WorkflowManaging {
    /// The stored schedule named `name`, or nil. Recorded when called by a workflow (`DBOS.getSchedule`).
    public func getSchedule(_ name: String) async throws -> ScheduleInfo? {
        try await recordedInWorkflow("DBOS.getSchedule") { try await service.systemDatabase.schedule(named: name).map(ScheduleInfo.init) }
    }

    /// Pauses a schedule in every process: its ticks pass without a run until it is resumed.
    /// Recorded when called by a workflow (`DBOS.pauseSchedule`).
    ///
    /// - Throws: ``DBOSError/Code/invalidArgument`` when there is no such schedule.
    public func pauseSchedule(_ name: String) async throws {
        _ = try await recordedInWorkflow("DBOS.pauseSchedule") { try await service.setSchedule(name, active: false); return NoOutput() }
    }

    /// Resumes a paused schedule: its next tick runs again (ticks missed while paused do not;
    /// ``backfillSchedule(_:from:to:)`` runs them). Recorded when called by a workflow (`DBOS.resumeSchedule`).
    ///
    /// - Throws: ``DBOSError/Code/invalidArgument`` when there is no such schedule.
    public func resumeSchedule(_ name: String) async throws {
        _ = try await recordedInWorkflow("DBOS.resumeSchedule") { try await service.setSchedule(name, active: true); return NoOutput() }
    }

    /// Enqueues the schedule's workflow now, with the current time as its tick, under the ID
    /// `sched-<name>-trigger-<time>`; returns the ID. A paused schedule runs too.
    ///
    /// - Throws: ``DBOSError/Code/invalidArgument`` when there is no such schedule, or when
    ///   called from a workflow (as in DBOS).
    @discardableResult
    public func triggerSchedule(_ name: String) async throws -> String {
        try refuseInsideWorkflow("triggerSchedule")
        return try await service.triggerSchedule(name, runs: scheduledRuns)
    }

    /// Enqueues the runs the schedule would have made between `start` and `end` (both
    /// excluded), under the live scheduler's IDs: a tick that already has its workflow is not
    /// run again. Returns the IDs of every tick in the window, oldest first.
    ///
    /// - Throws: ``DBOSError/Code/invalidArgument`` when there is no such schedule, or when
    ///   called from a workflow (as in DBOS).
    @discardableResult
    public func backfillSchedule(_ name: String, from start: Date, to end: Date) async throws -> [String] {
        try refuseInsideWorkflow("backfillSchedule")
        return try await service.backfillSchedule(name, from: start, to: end, runs: scheduledRuns)
    }

    /// A runtime enqueues with its own application version and knows each registered
    /// workflow's inputs; a client reads them off the stored row.
    private var scheduledRuns: ScheduledRuns {
        guard let runtime = self as? DBOS else { return ScheduledRuns(applicationVersion: nil) { $0.context != "null" } }
        let registered = runtime.schedules.registered
        return ScheduledRuns(applicationVersion: runtime.applicationVersion) { row in
            registered.first { $0.name == row.name }?.passesContext ?? (row.context != "null")
        }
    }

    private func refuseInsideWorkflow(_ call: String) throws {
        if WorkflowContext.current != nil {
            throw DBOSError.invalidArgument("\(call) cannot be called from within a workflow")
        }
    }
}
