public import Foundation

extension DBOS {
    /// Runs `workflow` on a cron schedule, in every process that registers the schedule, and
    /// exactly once per tick across all of them.
    ///
    /// ```swift
    /// let report = Workflow("report") { (scheduledAt: Date, team: String) async throws -> Int in ... }
    /// try dbos.register(report)
    /// try dbos.schedule("nightly-report", cron: "0 0 2 * * *", workflow: report, context: "infra")
    /// try await dbos.launch()
    /// ```
    ///
    /// Call it after registering the workflow (and the queue, if any) and before ``launch()``.
    /// At launch the schedule is stored in `workflow_schedules` (an existing row of that name is
    /// updated, keeping its status, so a schedule paused elsewhere stays paused). At each tick the
    /// workflow is enqueued as `sched-<name>-<tick>`, the tick written as Python's `isoformat()`
    /// (`sched-nightly-report-2026-11-30T02:00:00+00:00`), with inputs `(tick, context)`. The ID
    /// is the idempotency key: every process fires every tick, one workflow results, and the
    /// queue runs it once. Ticks are not backfilled: a tick when no process was up is skipped.
    ///
    /// - Parameters:
    ///   - name: the schedule's name, unique in the database.
    ///   - cron: 5 fields, or 6 with seconds first (see ``CronSchedule``). `"* * * * * *"` fires
    ///     every second.
    ///   - workflow: a registered workflow taking the tick's time and the context.
    ///   - context: passed unchanged to every run; stored as portable JSON.
    ///   - queue: the registered queue to enqueue on (default: the internal queue).
    ///   - timeZone: the time zone the cron fields are read in (default UTC).
    /// - Throws: ``DBOSError/Code/invalidArgument`` for a malformed cron expression or name,
    ///   ``DBOSError/Code/registrationError`` after launch, for a duplicate name, or for an
    ///   unregistered workflow or queue.
    public func schedule<Context: Codable & Sendable, Output: Codable & Sendable>(
        _ name: String, cron: String, workflow: Workflow<Date, Context, Output>, context: Context,
        queue: Queue? = nil, timeZone: TimeZone? = nil
    ) throws {
        try addSchedule(name, cron: cron, workflowName: workflow.name, context: try PortableJSON.encode(context),
                        passesContext: true, queue: queue, timeZone: timeZone)
    }

    /// Runs `workflow`, which takes only the tick's time, on a cron schedule. See
    /// ``schedule(_:cron:workflow:context:queue:timeZone:)``; the schedule's stored context is `null`.
    public func schedule<Output: Codable & Sendable>(
        _ name: String, cron: String, workflow: Workflow<Date, Output>, queue: Queue? = nil, timeZone: TimeZone? = nil
    ) throws {
        try addSchedule(name, cron: cron, workflowName: workflow.name, context: "null", passesContext: false,
                        queue: queue, timeZone: timeZone)
    }

    /// Deletes a stored schedule: no process fires it any more (each checks the row at every
    /// tick). Workflows it already enqueued are kept. Returns whether it existed.
    @discardableResult
    public func deleteSchedule(_ name: String) async throws -> Bool {
        try await systemDatabase.deleteSchedule(named: name)
    }

    private func addSchedule(_ name: String, cron: String, workflowName: String, context: String, passesContext: Bool,
                             queue: Queue?, timeZone: TimeZone?) throws {
        guard !name.isEmpty else { throw DBOSError.invalidArgument("a schedule name must not be empty") }
        let parsed = try CronSchedule(cron, timeZone: timeZone ?? TimeZone(identifier: "UTC")!)
        guard registration(named: workflowName) != nil else {
            throw DBOSError.registrationError("register workflow '\(workflowName)' before scheduling it as '\(name)'")
        }
        let queueName = queue?.name ?? Queue.internalQueue.name
        guard registeredQueues.contains(where: { $0.name == queueName }) else {
            throw DBOSError.registrationError("register queue '\(queueName)' before scheduling '\(name)' on it")
        }
        try schedules.add(RegisteredSchedule(
            name: name, cron: parsed, workflowName: workflowName, context: context, passesContext: passesContext,
            queueName: queueName, timeZoneName: timeZone?.identifier))
    }
}

extension ScheduleInfo {
    /// The public form of a stored schedule row.
    init(_ row: ScheduleRow) {
        name = row.name
        workflowName = row.workflowName
        cron = row.cron
        status = row.status
        context = row.context
        lastFiredAt = row.lastFiredAt
        queueName = row.queueName
        timeZone = row.timeZone
    }
}
