/// A stored cron schedule (a row of `workflow_schedules`).
public struct ScheduleInfo: Sendable, Equatable, Codable {
    /// The schedule's unique name.
    public var name: String
    /// The workflow it enqueues.
    public var workflowName: String
    /// The cron expression.
    public var cron: String
    /// `ACTIVE`, or `PAUSED` (paused from DBOS Python; a paused schedule does not fire).
    public var status: String
    /// The context passed to every run, as portable JSON text.
    public var context: String
    /// The last tick fired, as stored (`2026-11-30T01:10:05+00:00`).
    public var lastFiredAt: String?
    /// The queue its workflows are enqueued on; nil means the internal queue.
    public var queueName: String?
    /// The IANA time zone its cron fields are read in; nil means UTC.
    public var timeZone: String?
}
