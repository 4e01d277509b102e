import Foundation

/// The inbox page: agents waiting for a decision first, with approve/reject buttons, then the
/// rest. Plain HTML and a few lines of JavaScript, no external assets.
enum InboxPage {
    static func render(_ agents: [AgentView]) -> String {
        let waiting = agents.filter(\.waitingForHuman)
        let others = agents.filter { !$0.waitingForHuman }
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>Agent inbox</title>
            <style>
            body { font-family: system-ui, sans-serif; margin: 2rem; max-width: 60rem; }
            .agent { border: 1px solid #ccc; border-radius: 6px; padding: 0.8rem; margin: 0.6rem 0; }
            .waiting { border-color: #d08a00; background: #fff8e6; }
            .meta { color: #666; font-size: 0.85rem; }
            button { margin-right: 0.5rem; }
            </style></head>
            <body>
            <h1>Agent inbox</h1>
            <form id="new-agent"><input name="task" size="60" placeholder="What should an agent do?" required>
            <button type="submit">Start agent</button></form>
            <h2>Waiting for you (\(waiting.count))</h2>
            \(waiting.isEmpty ? "<p>No agent is waiting for a decision.</p>" : waiting.map(card).joined(separator: "\n"))
            <h2>Other agents (\(others.count))</h2>
            \(others.map(card).joined(separator: "\n"))
            <script>
            async function post(url, body) {
              const response = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
              if (!response.ok) alert(await response.text());
              location.reload();
            }
            document.querySelectorAll("button[data-agent]").forEach(button => button.addEventListener("click", () =>
              post("/agents/" + button.dataset.agent + "/respond", { approved: button.dataset.approved === "true" })));
            document.getElementById("new-agent").addEventListener("submit", event => {
              event.preventDefault();
              post("/agents", { task: new FormData(event.target).get("task") });
            });
            </script>
            </body></html>
            """
    }

    private static func card(_ agent: AgentView) -> String {
        var html = "<div class=\"agent\(agent.waitingForHuman ? " waiting" : "")\" id=\"\(escape(agent.id))\">"
        html += "<div class=\"meta\">\(escape(agent.id)) · \(escape(agent.state))"
        if let left = agent.secondsLeft { html += " · \(Int(left.rounded())) s left to decide" }
        html += "</div>"
        if let task = agent.task { html += "<p><b>Task:</b> \(escape(task))</p>" }
        if let proposal = agent.proposal { html += "<p><b>Proposal:</b> \(escape(proposal))</p>" }
        if let note = agent.note { html += "<p><b>Note:</b> \(escape(note))</p>" }
        if let result = agent.result { html += "<p><b>Result:</b> \(escape(result))</p>" }
        if agent.waitingForHuman {
            html += "<button data-agent=\"\(escape(agent.id))\" data-approved=\"true\">Approve</button>"
            html += "<button data-agent=\"\(escape(agent.id))\" data-approved=\"false\">Reject</button>"
        }
        return html + "</div>"
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
