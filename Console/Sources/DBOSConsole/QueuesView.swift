import DBOS
import Foundation

/// The HTML of the queues page: each queue's load and limits, then the stored schedules.
struct QueuesView {
    let base: String
    let queues: [QueueStatistics]
    let schedules: [ScheduleInfo]
    let now: Date

    var html: String { queueTable + "<h2>Schedules</h2>" + scheduleTable }

    private func limit(_ value: Int?) -> String { value.map(String.init) ?? "—" }

    private func rate(_ limits: QueueStatistics.Limits?) -> String {
        guard let max = limits?.rateLimitMax, let period = limits?.rateLimitPeriodSeconds else { return "—" }
        return "\(max) / \(HTML.duration(milliseconds: period * 1000))"
    }

    private var queueTable: String {
        guard !queues.isEmpty else { return "<p class=\"empty\">No queue is registered or has a workflow waiting or running.</p>" }
        var rows = ""
        for queue in queues {
            let link = "\(base)/?queue=\(HTML.query(queue.name))"
            let age = queue.oldestEnqueuedAt.map { HTML.duration(milliseconds: max(now.timeIntervalSince($0), 0) * 1000) } ?? ""
            let limits = queue.limits
            rows += """
                <tr data-queue="\(HTML.escape(queue.name))"><td><a href="\(HTML.escape(link))">\(HTML.escape(queue.name))</a></td>\
                <td class="num">\(queue.enqueued)</td><td class="num">\(queue.running)</td><td class="num">\(age)</td>\
                <td class="num">\(limits == nil ? "not registered" : limit(limits?.concurrency))</td>\
                <td class="num">\(limit(limits?.workerConcurrency))</td><td class="num">\(rate(limits))</td></tr>

                """
        }
        return """
            <table class="queues"><thead><tr><th>Queue</th><th>Enqueued</th><th>Running</th><th>Oldest enqueued</th>\
            <th>Concurrency</th><th>Per worker</th><th>Rate limit</th></tr></thead>
            <tbody>
            \(rows)</tbody></table>

            """
    }

    private var scheduleTable: String {
        guard !schedules.isEmpty else { return "<p class=\"empty\">No schedule is stored.</p>" }
        let rows = schedules.map { schedule in
            let workflows = "\(base)/?name=\(HTML.query(schedule.workflowName))"
            return """
                <tr data-schedule="\(HTML.escape(schedule.name))"><td>\(HTML.escape(schedule.name))</td>\
                <td><a href="\(HTML.escape(workflows))">\(HTML.escape(schedule.workflowName))</a></td>\
                <td><code>\(HTML.escape(schedule.cron))</code>\(schedule.timeZone.map { " (\(HTML.escape($0)))" } ?? "")</td>\
                <td>\(HTML.escape(schedule.status))</td><td class="time">\(HTML.escape(schedule.lastFiredAt ?? ""))</td>\
                <td>\(HTML.escape(schedule.queueName ?? ""))</td></tr>
                """
        }.joined(separator: "\n")
        return """
            <table class="schedules"><thead><tr><th>Schedule</th><th>Workflow</th><th>Cron</th><th>Status</th>\
            <th>Last fired</th><th>Queue</th></tr></thead>
            <tbody>
            \(rows)
            </tbody></table>

            """
    }
}
