import DBOS
import Foundation

/// The HTML of one workflow: its fields, payloads, actions, step timeline, events, streams and children.
struct WorkflowDetailView {
    let base: String
    let readOnly: Bool
    let status: WorkflowStatus
    let steps: [StepRecord]
    let children: [WorkflowStatus]
    let messages: MessagesView

    var html: String {
        fields + actions + payloads + "<h2>Steps</h2>" + StepTimeline(base: base, steps: steps).html + messages.html + childrenTable
    }

    private func link(_ workflowID: String) -> String {
        "<a href=\"\(HTML.escape(base + "/workflows/" + HTML.pathSegment(workflowID)))\">\(HTML.escape(workflowID))</a>"
    }

    private var fields: String {
        var rows: [(String, String)] = [
            ("Workflow ID", HTML.escape(status.workflowID)),
            ("Status", StatusBadge.html(status.workflowID, status.state)),
            ("Name", HTML.escape(status.name)),
            ("Queue", HTML.escape(status.queueName ?? "")),
            ("Executor", HTML.escape(status.executorID ?? "")),
            ("Application version", HTML.escape(status.applicationVersion ?? "")),
            ("Created", HTML.escape(HTML.time(status.createdAt))),
            ("Updated", HTML.escape(HTML.time(status.updatedAt))),
            ("Completed", HTML.escape(HTML.time(status.completedAt))),
            ("Recovery attempts", "\(status.recoveryAttempts)"),
        ]
        if let dequeued = status.startedAt { rows.insert(("Dequeued", HTML.escape(HTML.time(dequeued))), at: 8) }
        if let parent = status.parentWorkflowID { rows.append(("Parent", link(parent))) }
        if let forkedFrom = status.forkedFrom { rows.append(("Forked from", link(forkedFrom))) }
        // The cells the page's script refreshes when the workflow finishes.
        let liveCells = ["Updated": "field-updated", "Completed": "field-completed"]
        let body = rows.map { label, value in
            "<tr><th>\(label)</th><td\(liveCells[label].map { " id=\"\($0)\"" } ?? "")>\(value)</td></tr>"
        }.joined(separator: "\n")
        return """
            <table class="fields" data-live="true" data-workflow-id="\(HTML.escape(status.workflowID))">
            \(body)
            </table>

            """
    }

    /// The input, then the output or error in `#outcome` (filled in place by the page's script
    /// when a workflow that was still running finishes).
    private var payloads: String {
        var outcome = ""
        if let error = status.error {
            outcome = "<h2>Error</h2><pre class=\"payload error\" id=\"error\">\(HTML.escape(HTML.prettyJSON(error)))</pre>"
        } else if let output = status.output {
            outcome = "<h2>Output</h2><pre class=\"payload\" id=\"output\">\(HTML.escape(HTML.prettyJSON(output)))</pre>"
        }
        return """
            <h2>Input</h2><pre class="payload" id="input">\(HTML.escape(HTML.prettyJSON(status.input)))</pre>
            <div id="outcome">\(outcome)</div>

            """
    }

    private var actions: String {
        guard !readOnly else { return "" }
        let id = HTML.escape(status.workflowID)
        let stepOptions = steps.map { "<option value=\"\($0.functionID)\">\($0.functionID) · \(HTML.escape($0.functionName))</option>" }.joined()
        let fork = steps.isEmpty ? "" : """
            <label>from step <select id="fork-step">\(stepOptions)</select></label>
            <button type="button" data-action="fork" data-workflow-id="\(id)">Fork</button>
            """
        return """
            <div class="actions">
            \(button("cancel", "Cancel", when: Self.cancellable))
            \(button("resume", "Resume", when: Self.resumable))
            \(fork)
            <button type="button" class="danger" data-action="delete" data-workflow-id="\(id)">Delete</button>
            <span id="action-result" role="status"></span>
            </div>

            """
    }

    /// The states in which Cancel applies: the workflow has not finished.
    static let cancellable: [WorkflowState] = [.pending, .enqueued, .delayed]
    /// The states in which Resume applies: it stopped without an output.
    static let resumable: [WorkflowState] = [.cancelled, .error, .maxRecoveryAttemptsExceeded]

    /// An action button shown only while the workflow is in one of `states` (the page's script
    /// shows and hides it as live updates change the status).
    private func button(_ action: String, _ label: String, when states: [WorkflowState]) -> String {
        let hidden = states.contains(status.state) ? "" : " hidden"
        return """
            <button type="button" data-action="\(action)" data-workflow-id="\(HTML.escape(status.workflowID))" \
            data-when="\(states.map(\.rawValue).joined(separator: " "))"\(hidden)>\(label)</button>
            """
    }

    private var childrenTable: String {
        guard !children.isEmpty else { return "" }
        let rows = children.map { child in
            "<tr><td>\(link(child.workflowID))</td><td>\(StatusBadge.html(child.workflowID, child.state))</td><td>\(HTML.escape(child.name))</td></tr>"
        }.joined(separator: "\n")
        return """
            <h2>Children</h2>
            <table class="children"><thead><tr><th>Workflow ID</th><th>Status</th><th>Name</th></tr></thead>
            <tbody>
            \(rows)
            </tbody></table>

            """
    }
}
