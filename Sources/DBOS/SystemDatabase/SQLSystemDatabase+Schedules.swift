import Foundation

/// Cron schedules in `workflow_schedules`, laid out as DBOS Python 3.4.0 lays them out.
extension SQLSystemDatabase {
    private static let scheduleColumns: SQLFragment = """
        schedule_id, schedule_name, workflow_name, workflow_class_name, schedule, status, context, last_fired_at,
        automatic_backfill, cron_timezone, queue_name, application_name
        """

    /// Creates the schedule or updates its definition by name. As Python's `upsert_schedule`,
    /// an existing row keeps its ID, status (a paused schedule stays paused) and `last_fired_at`.
    func upsertSchedule(_ schedule: ScheduleRow) async throws {
        _ = try await driver.write("""
            INSERT INTO \(tables.schedules) (\(Self.scheduleColumns))
            VALUES (\(schedule.scheduleID), \(schedule.name), \(schedule.workflowName), NULL, \(schedule.cron), \(schedule.status),
                \(schedule.context), \(schedule.lastFiredAt), \(false), \(schedule.timeZone), \(schedule.queueName),
                \(schedule.applicationName))
            ON CONFLICT (schedule_name) DO UPDATE SET workflow_name = excluded.workflow_name,
                workflow_class_name = excluded.workflow_class_name, schedule = excluded.schedule,
                context = excluded.context, automatic_backfill = excluded.automatic_backfill,
                cron_timezone = excluded.cron_timezone, queue_name = excluded.queue_name
            """)
    }

    /// One schedule by name.
    func schedule(named name: String) async throws -> ScheduleRow? {
        try await driver.read("SELECT \(Self.scheduleColumns) FROM \(tables.schedules) WHERE schedule_name = \(name)")
            .first.map(ScheduleRow.init(row:))
    }

    /// Every schedule, by name.
    func listSchedules() async throws -> [ScheduleRow] {
        try await driver.read("SELECT \(Self.scheduleColumns) FROM \(tables.schedules) ORDER BY schedule_name")
            .map(ScheduleRow.init(row:))
    }

    /// Deletes a schedule; its workflows stay. Returns whether it existed.
    func deleteSchedule(named name: String) async throws -> Bool {
        !(try await driver.write("DELETE FROM \(tables.schedules) WHERE schedule_name = \(name) RETURNING schedule_id")).isEmpty
    }

    func setScheduleStatus(named name: String, status: String) async throws -> Bool {
        !(try await driver.write(
            "UPDATE \(tables.schedules) SET status = \(status) WHERE schedule_name = \(name) RETURNING schedule_id")).isEmpty
    }

    /// After a tick's workflow is enqueued (tagged with its schedule in the insert): records
    /// the tick in `last_fired_at` (Python's ISO text; never moved backwards).
    func recordScheduleFired(scheduleName: String, firedAt: String) async throws {
        _ = try await driver.write("""
            UPDATE \(tables.schedules) SET last_fired_at = \(firedAt)
            WHERE schedule_name = \(scheduleName) AND (last_fired_at IS NULL OR last_fired_at < \(firedAt))
            """)
    }
}

extension ScheduleRow {
    /// A `workflow_schedules` row.
    init(row: SQLRow) throws {
        self.init(
            scheduleID: try row.decode("schedule_id"), name: try row.decode("schedule_name"),
            workflowName: try row.decode("workflow_name"), cron: try row.decode("schedule"),
            status: try row.decode("status", as: String?.self) ?? "ACTIVE", context: try row.decode("context", as: String?.self) ?? "null",
            lastFiredAt: try row.decode("last_fired_at"), timeZone: try row.decode("cron_timezone"),
            queueName: try row.decode("queue_name"), applicationName: try row.decode("application_name"))
    }
}
