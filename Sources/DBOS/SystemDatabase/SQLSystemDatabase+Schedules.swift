import Foundation

/// Cron schedules in `workflow_schedules`, laid out as DBOS Python 3.4.0 lays them out.
extension SQLSystemDatabase {
    private var schedules: String { driver.dialect.table("workflow_schedules") }
    private var status: String { driver.dialect.table("workflow_status") }

    private static let scheduleColumns = """
        schedule_id, schedule_name, workflow_name, workflow_class_name, schedule, status, context, last_fired_at,
        automatic_backfill, cron_timezone, queue_name, application_name
        """

    /// Creates the schedule or updates its definition by name. As Python's `upsert_schedule`,
    /// an existing row keeps its ID, status (a paused schedule stays paused) and `last_fired_at`.
    func upsertSchedule(_ schedule: ScheduleRow) async throws {
        _ = try await driver.write(SQLStatement("""
            INSERT INTO \(schedules) (\(Self.scheduleColumns))
            VALUES ($1, $2, $3, NULL, $4, $5, $6, $7, $8, $9, $10, $11)
            ON CONFLICT (schedule_name) DO UPDATE SET workflow_name = excluded.workflow_name,
                workflow_class_name = excluded.workflow_class_name, schedule = excluded.schedule,
                context = excluded.context, automatic_backfill = excluded.automatic_backfill,
                cron_timezone = excluded.cron_timezone, queue_name = excluded.queue_name
            """, [.text(schedule.scheduleID), .text(schedule.name), .text(schedule.workflowName), .text(schedule.cron),
                  .text(schedule.status), .text(schedule.context), SQLValue(schedule.lastFiredAt), .bool(false),
                  SQLValue(schedule.timeZone), SQLValue(schedule.queueName), SQLValue(schedule.applicationName)]))
    }

    /// One schedule by name.
    func schedule(named name: String) async throws -> ScheduleRow? {
        try await driver.read(SQLStatement(
            "SELECT \(Self.scheduleColumns) FROM \(schedules) WHERE schedule_name = $1", [.text(name)])).first.map(Self.scheduleRow)
    }

    /// Every schedule, by name.
    func listSchedules() async throws -> [ScheduleRow] {
        try await driver.read(SQLStatement("SELECT \(Self.scheduleColumns) FROM \(schedules) ORDER BY schedule_name", []))
            .map(Self.scheduleRow)
    }

    /// Deletes a schedule; its workflows stay. Returns whether it existed.
    func deleteSchedule(named name: String) async throws -> Bool {
        !(try await driver.write(SQLStatement(
            "DELETE FROM \(schedules) WHERE schedule_name = $1 RETURNING schedule_id", [.text(name)]))).isEmpty
    }

    /// After a tick's workflow is enqueued: tags it with its schedule (`workflow_status.schedule_name`)
    /// and records the tick in `last_fired_at` (Python's ISO text; never moved backwards).
    func recordScheduleFired(scheduleName: String, workflowID: String, firedAt: String) async throws {
        let status = self.status, schedules = self.schedules
        try await driver.transaction { executor in
            _ = try await executor.execute(SQLStatement(
                "UPDATE \(status) SET schedule_name = $2 WHERE workflow_uuid = $1 AND schedule_name IS NULL",
                [.text(workflowID), .text(scheduleName)]))
            _ = try await executor.execute(SQLStatement(
                "UPDATE \(schedules) SET last_fired_at = $2 WHERE schedule_name = $1 AND (last_fired_at IS NULL OR last_fired_at < $2)", [.text(scheduleName), .text(firedAt)]))
        }
    }

    private static func scheduleRow(_ row: SQLRow) -> ScheduleRow {
        ScheduleRow(
            scheduleID: row.string("schedule_id") ?? "", name: row.string("schedule_name") ?? "",
            workflowName: row.string("workflow_name") ?? "", cron: row.string("schedule") ?? "",
            status: row.string("status") ?? "ACTIVE", context: row.string("context") ?? "null",
            lastFiredAt: row.string("last_fired_at"), timeZone: row.string("cron_timezone"),
            queueName: row.string("queue_name"), applicationName: row.string("application_name"))
    }
}

/// One row of `workflow_schedules`.
struct ScheduleRow: Sendable, Equatable {
    var scheduleID: String
    var name: String
    var workflowName: String
    var cron: String
    var status: String = "ACTIVE"
    /// The context passed to every run, as portable JSON.
    var context: String
    var lastFiredAt: String?
    var timeZone: String?
    var queueName: String?
    var applicationName: String?
}
