import DBOS
import Foundation

/// Plain-text renderings for humans.
enum Table {
    /// Left-aligned columns separated by two spaces, with a header row.
    static func render(header: [String], rows: [[String]]) -> String {
        var widths = header.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                index == cells.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n")
    }

    static func workflows(_ workflows: [WorkflowStatus]) -> String {
        render(
            header: ["WORKFLOW ID", "STATUS", "NAME", "QUEUE", "EXECUTOR", "CREATED (UTC)", "DURATION"],
            rows: workflows.map { workflow in
                let finished = !workflow.state.isActive
                return [
                    workflow.workflowID, workflow.state.rawValue, workflow.name, workflow.queueName ?? "-",
                    workflow.executorID ?? "-", timestamp(workflow.createdAt),
                    finished ? duration(from: workflow.createdAt, to: workflow.completedAt ?? workflow.updatedAt) : "-",
                ]
            })
    }

    /// Queued workflows: where they wait, and for how long (ENQUEUED) or since when they run (PENDING).
    static func queued(_ workflows: [WorkflowStatus], now: Date = Date()) -> String {
        render(
            header: ["WORKFLOW ID", "QUEUE", "STATUS", "NAME", "PRIORITY", "EXECUTOR", "CREATED (UTC)", "WAITING / RUNNING"],
            rows: workflows.map { workflow in
                let since = workflow.state == .pending ? workflow.startedAt ?? workflow.updatedAt : workflow.createdAt
                return [
                    workflow.workflowID, workflow.queueName ?? "-", workflow.state.rawValue, workflow.name, String(workflow.priority),
                    workflow.executorID.flatMap { $0.isEmpty ? nil : $0 } ?? "-", timestamp(workflow.createdAt),
                    duration(from: since, to: now),
                ]
            })
    }

    static func details(of workflow: WorkflowStatus) -> String {
        let fields: [(String, String?)] = [
            ("Workflow ID", workflow.workflowID),
            ("Status", workflow.state.rawValue),
            ("Name", workflow.name),
            ("Class", workflow.className),
            ("Config", workflow.configName),
            ("Queue", workflow.queueName),
            ("Executor", workflow.executorID),
            ("App version", workflow.applicationVersion),
            ("App ID", workflow.applicationID),
            ("Recovery attempts", String(workflow.recoveryAttempts)),
            ("Created", timestamp(workflow.createdAt)),
            ("Updated", timestamp(workflow.updatedAt)),
            ("Parent workflow", workflow.parentWorkflowID),
            ("Forked from", workflow.forkedFrom),
            ("Deduplication ID", workflow.deduplicationID),
            ("Priority", String(workflow.priority)),
            ("Serialization", workflow.serialization),
            ("Input", Payload.shown(workflow.input, serialization: workflow.serialization)),
            ("Output", Payload.shown(workflow.output, serialization: workflow.serialization)),
            ("Error", Payload.shown(workflow.error, serialization: workflow.serialization)),
        ]
        let shown = fields.compactMap { label, value in value.map { (label, $0) } }
        let width = shown.map(\.0.count).max() ?? 0
        return shown.map { label, value in
            (label + ":").padding(toLength: width + 1, withPad: " ", startingAt: 0) + " " + value
        }.joined(separator: "\n")
    }

    static func steps(_ steps: [StepRecord]) -> String {
        render(
            header: ["ID", "NAME", "RESULT", "DURATION", "CHILD WORKFLOW", "OUTPUT / ERROR"],
            rows: steps.map { step in
                let result = step.error != nil ? "error" : "ok"
                let payload = Payload.shown(step.error ?? step.output, serialization: step.serialization) ?? "-"
                let elapsed = step.startedAt.flatMap { start in step.completedAt.map { duration(from: start, to: $0) } } ?? "-"
                return [String(step.functionID), step.functionName, result, elapsed, step.childWorkflowID ?? "-", truncated(payload)]
            })
    }

    /// UTC with milliseconds, e.g. `2025-01-31 09:15:02.120Z` (rounded from the stored epoch milliseconds).
    static func timestamp(_ date: Date) -> String {
        let millis = EpochMillis.of(date)
        let (seconds, fraction) = millis.quotientAndRemainder(dividingBy: 1000)
        let whole = Date(timeIntervalSince1970: TimeInterval(fraction < 0 ? seconds - 1 : seconds))
            .formatted(Date.ISO8601FormatStyle().dateTimeSeparator(.space))
        return whole.dropLast() + String(format: ".%03dZ", fraction < 0 ? fraction + 1000 : fraction)
    }

    static func duration(from start: Date, to end: Date) -> String {
        let millis = max(0, end.timeIntervalSince(start) * 1000)
        if millis < 10 { return String(format: "%.1f ms", millis) }
        if millis < 10_000 { return String(format: "%.0f ms", millis) }
        return String(format: "%.1f s", millis / 1000)
    }

    static func truncated(_ text: String, to length: Int = 60) -> String {
        let flat = text.replacingOccurrences(of: "\n", with: " ")
        return flat.count <= length ? flat : String(flat.prefix(length - 1)) + "…"
    }
}
