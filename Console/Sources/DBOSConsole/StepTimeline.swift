import DBOS
import Foundation

/// A workflow's steps on a time axis: one bar per step from its start to its completion,
/// positioned and sized in % of the span from the first start to the last completion.
struct StepTimeline {
    let base: String
    let steps: [StepRecord]

    /// The left edge and width (in %) of each step's bar; steps without times get a thin bar at 0.
    static func geometry(_ steps: [StepRecord]) -> [(left: Double, width: Double, milliseconds: Double?)] {
        let starts = steps.compactMap { $0.startedAt ?? $0.completedAt }
        let ends = steps.compactMap { $0.completedAt ?? $0.startedAt }
        guard let first = starts.min(), let last = ends.max() else {
            return steps.map { _ in (0, 0.5, nil) }
        }
        let span = max(last.timeIntervalSince(first), 0.001)
        return steps.map { step in
            guard let start = step.startedAt ?? step.completedAt else { return (0, 0.5, nil) }
            let end = step.completedAt ?? start
            let left = start.timeIntervalSince(first) / span * 100
            let width = max(end.timeIntervalSince(start) / span * 100, 0.5)
            return (min(left, 99.5), min(width, 100 - min(left, 99.5)), end.timeIntervalSince(start) * 1000)
        }
    }

    var html: String {
        guard !steps.isEmpty else { return "<p class=\"empty\">No step recorded yet.</p>\n" }
        let geometry = Self.geometry(steps)
        var rows = ""
        for (step, bar) in zip(steps, geometry) {
            let outcome = step.error != nil ? "failed" : (step.completedAt != nil || step.output != nil ? "done" : "running")
            let duration = bar.milliseconds.map { HTML.duration(milliseconds: $0) } ?? "no times"
            var child = ""
            if let childID = step.childWorkflowID {
                child = " <a class=\"child\" href=\"\(HTML.escape(base + "/workflows/" + HTML.pathSegment(childID)))\">child \(HTML.escape(childID))</a>"
            }
            let detail = step.error.map { "Error:\n" + HTML.prettyJSON($0) } ?? ("Output:\n" + (step.output.map { HTML.prettyJSON($0) } ?? "(none)"))
            rows += """
                <div class="step" data-step="\(step.functionID)">\
                <div class="step-label">\(step.functionID) · \(HTML.escape(step.functionName))\(child)</div>\
                <div class="track"><div class="bar \(outcome)" data-step-id="\(step.functionID)" title="\(HTML.escape(duration))" \
                style="left:\(String(format: "%.3f", bar.left))%;width:\(String(format: "%.3f", bar.width))%"></div></div>\
                <div class="duration">\(HTML.escape(duration))</div>\
                <pre class="step-detail" id="step-detail-\(step.functionID)" hidden>\(HTML.escape(detail))</pre></div>

                """
        }
        return "<div class=\"timeline\">\n\(rows)</div>\n<p class=\"hint\">Click a bar to show its output or error.</p>\n"
    }
}
