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
