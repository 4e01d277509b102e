import Foundation
import Logging

/// Firing registered cron schedules.
extension DBOS {
    /// At launch: stores the registered schedules and starts one firing loop per schedule.
    func startSchedules() async throws {
        let registered = try schedules.start()
        for schedule in registered {
            try await systemDatabase.upsertSchedule(ScheduleRow(
                scheduleID: UUID().uuidString.lowercased(), name: schedule.name, workflowName: schedule.workflowName,
                cron: schedule.cron.expression, context: schedule.context, timeZone: schedule.timeZoneName,
                queueName: schedule.queueName == QueueDefinition.internalQueueName ? nil : schedule.queueName))
        }
        for schedule in registered {
            tasks.spawn { await self.runSchedule(schedule) }
        }
    }

    /// Sleeps until each tick on the runtime's clock (plus up to 10% jitter, at most 10 s, as
    /// DBOS Python does, so processes do not all write at once; none on a test clock, whose
    /// ticks come when the test advances it), then fires it. Ends at shutdown.
    private func runSchedule(_ schedule: RegisteredSchedule) async {
        let clock = clock
        var after = clock.now
        while !Task.isCancelled && !isShuttingDown {
            guard let tick = schedule.cron.next(after: after) else {
                logger.error("schedule has no future tick; stopping it", metadata: [
                    "schedule": "\(schedule.name)", "cron": "\(schedule.cron.expression)"])
                return
            }
            let wait = max(0, tick.timeIntervalSince(clock.now))
            let jitter = clock.isWallClock ? Double.random(in: 0...min(wait / 10, 10)) : 0
            do {
                try await service.pause(until: tick + jitter)
            } catch {
                return
            }
            do {
                try await fire(schedule, at: tick)
            } catch {
                if !isShuttingDown {
                    logger.warning("scheduled workflow not enqueued", metadata: [
                        "schedule": "\(schedule.name)", "tick": "\(schedule.cron.isoformat(tick))", "error": "\(error)"])
                }
            }
            after = tick
        }
    }

    /// Enqueues the tick's workflow unless a process already did, and records the tick.
    func fire(_ schedule: RegisteredSchedule, at tick: Date) async throws {
        guard let row = try await systemDatabase.schedule(named: schedule.name), row.status == "ACTIVE" else { return }
        let time = schedule.cron.isoformat(tick)
        let workflowID = "sched-\(schedule.name)-\(time)"
        if try await systemDatabase.workflowStatus(workflowID: workflowID) == nil {
            let arguments = [try PortableJSON.encode(tick)] + (schedule.passesContext ? [schedule.context] : [])
            let inputs = PortableJSON.arguments(encoded: arguments)
            _ = try await enqueueWorkflow(name: schedule.workflowName, inputs: inputs, queue: schedule.queueName,
                                          options: EnqueueOptions(workflowID: workflowID), scheduleName: schedule.name)
        }
        try await systemDatabase.recordScheduleFired(scheduleName: schedule.name, firedAt: time)
    }
}
