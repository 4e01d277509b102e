import Hummingbird

/// The console's script and stylesheet, served from `/static/` (no CDN).
enum ConsoleAssets {
    static var script: Response {
        Responses.text(scriptText, contentType: "text/javascript; charset=utf-8")
    }

    static var style: Response {
        Responses.text(styleText, contentType: "text/css; charset=utf-8")
    }

    /// Live status updates (server-sent events), timeline bars that show their step's
    /// output, and the actions (each confirmed first).
    static let scriptText = #"""
        "use strict";
        (function () {
          const base = document.body.dataset.base || "";
          const finished = ["SUCCESS", "ERROR", "CANCELLED", "MAX_RECOVERY_ATTEMPTS_EXCEEDED"];
          const pretty = (text) => { try { return JSON.stringify(JSON.parse(text), null, 2); } catch (e) { return text; } };
          // A workflow page whose workflow just finished: its times and output (or error), in place.
          async function refreshOutcome(id) {
            const response = await fetch(base + "/api/workflows/" + encodeURIComponent(id), { credentials: "same-origin" });
            if (!response.ok) { return; }
            const workflow = await response.json();
            for (const [cellID, key] of [["field-updated", "updated_at"], ["field-completed", "completed_at"]]) {
              const cell = document.getElementById(cellID);
              if (cell && workflow[key]) { cell.textContent = workflow[key]; }
            }
            const outcome = document.getElementById("outcome");
            const failed = workflow.error !== null && workflow.error !== undefined;
            const text = failed ? workflow.error : workflow.output;
            if (!outcome || text === null || text === undefined) { return; }
            const heading = document.createElement("h2");
            heading.textContent = failed ? "Error" : "Output";
            const payload = document.createElement("pre");
            payload.className = failed ? "payload error" : "payload";
            payload.id = failed ? "error" : "output";
            payload.textContent = pretty(text);
            outcome.replaceChildren(heading, payload);
          }
          const statusCells = () => Array.from(document.querySelectorAll("[data-status-for]"));
          const ids = Array.from(new Set(statusCells().map((cell) => cell.dataset.statusFor)));
          if (ids.length > 0 && window.EventSource) {
            const query = ids.map((id) => "id=" + encodeURIComponent(id)).join("&");
            const source = new EventSource(base + "/events?" + query);
            source.onmessage = (event) => {
              const change = JSON.parse(event.data);
              for (const cell of statusCells()) {
                if (cell.dataset.statusFor === change.workflow_id && cell.textContent !== change.status) {
                  cell.textContent = change.status;
                  cell.className = "status status-" + change.status;
                }
              }
              for (const button of document.querySelectorAll("button[data-when]")) {
                if (button.dataset.workflowId === change.workflow_id) {
                  button.hidden = !button.dataset.when.split(" ").includes(change.status);
                }
              }
              const fields = document.querySelector("table.fields[data-workflow-id]");
              if (fields && fields.dataset.workflowId === change.workflow_id && finished.includes(change.status)) {
                refreshOutcome(change.workflow_id);
              }
            };
          }
          for (const bar of document.querySelectorAll(".bar[data-step-id]")) {
            bar.addEventListener("click", () => {
              const detail = document.getElementById("step-detail-" + bar.dataset.stepId);
              if (detail) { detail.hidden = !detail.hidden; }
            });
          }
          for (const button of document.querySelectorAll("button[data-action]")) {
            button.addEventListener("click", async () => {
              const action = button.dataset.action;
              const id = button.dataset.workflowId;
              let url = base + "/api/workflows/" + encodeURIComponent(id) + "/" + action;
              let question = action.charAt(0).toUpperCase() + action.slice(1) + " workflow " + id + "?";
              if (action === "fork") {
                const step = document.getElementById("fork-step").value;
                url += "?step=" + encodeURIComponent(step);
                question = "Fork workflow " + id + " from step " + step + "?";
              }
              if (!window.confirm(question)) { return; }
              const result = document.getElementById("action-result");
              const response = await fetch(url, { method: "POST", headers: { "X-DBOS-Console": "1" }, credentials: "same-origin" });
              const body = await response.json().catch(() => ({}));
              if (!response.ok) {
                result.textContent = "Failed: " + (body.error || response.status);
                result.className = "failure";
              } else if (action === "fork") {
                window.location.href = base + "/workflows/" + encodeURIComponent(body.new_workflow_id);
              } else if (action === "delete") {
                window.location.href = base + "/";
              } else {
                result.textContent = action + " requested";
              }
            });
          }
        })();
        """#

    static let styleText = """
        body { font-family: system-ui, sans-serif; margin: 0; color: #1d2330; background: #f7f8fa; }
        header { background: #1d2330; padding: 0.6rem 1.2rem; }
        header a { color: #e8ecf4; margin-right: 1.2rem; text-decoration: none; }
        header .brand { font-weight: 700; }
        .badge { background: #c9a227; color: #1d2330; padding: 0.1rem 0.5rem; border-radius: 0.6rem; font-size: 0.8rem; }
        main { padding: 1rem 1.2rem; }
        h1 { font-size: 1.3rem; word-break: break-all; }
        h2 { font-size: 1.05rem; margin-top: 1.5rem; }
        table { border-collapse: collapse; background: #fff; }
        th, td { text-align: left; padding: 0.3rem 0.7rem; border-bottom: 1px solid #e3e6ec; font-size: 0.9rem; }
        td.num { text-align: right; }
        td.time { font-family: ui-monospace, monospace; font-size: 0.8rem; }
        .status { padding: 0.1rem 0.45rem; border-radius: 0.3rem; font-size: 0.8rem; font-weight: 600; background: #e3e6ec; }
        .status-SUCCESS { background: #d3f2dc; color: #14632e; }
        .status-ERROR, .status-MAX_RECOVERY_ATTEMPTS_EXCEEDED { background: #fbd9d9; color: #8c1c1c; }
        .status-PENDING { background: #dbe8ff; color: #1c3f8c; }
        .status-ENQUEUED, .status-DELAYED { background: #fff0c2; color: #6b5300; }
        .status-CANCELLED { background: #e6e0f5; color: #4a2f8c; }
        form.filters { display: flex; flex-wrap: wrap; gap: 0.6rem; margin-bottom: 1rem; align-items: end; }
        form.filters label { display: flex; flex-direction: column; font-size: 0.8rem; }
        .pager { margin-top: 0.8rem; }
        .empty, .hint { color: #6a7280; }
        .failure { color: #8c1c1c; font-weight: 600; }
        .actions { margin: 1rem 0; display: flex; gap: 0.5rem; align-items: center; flex-wrap: wrap; }
        button { padding: 0.3rem 0.8rem; cursor: pointer; }
        button.danger { color: #8c1c1c; }
        pre.payload, pre.step-detail { background: #fff; border: 1px solid #e3e6ec; padding: 0.6rem; overflow: auto; max-height: 20rem; }
        pre.error { border-color: #e8a5a5; }
        .timeline { background: #fff; border: 1px solid #e3e6ec; padding: 0.6rem; }
        .step { display: grid; grid-template-columns: 16rem 1fr 6rem; gap: 0.6rem; align-items: center; margin: 0.25rem 0; }
        .step pre.step-detail { grid-column: 1 / 4; margin: 0; }
        .step-label { font-size: 0.85rem; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
        .track { position: relative; height: 1rem; background: #f0f2f5; border-radius: 0.2rem; }
        .bar { position: absolute; top: 0; bottom: 0; min-width: 3px; border-radius: 0.2rem; cursor: pointer; background: #3c7be0; }
        .bar.failed { background: #d64545; }
        .bar.running { background: #c9a227; }
        .duration { font-size: 0.8rem; font-family: ui-monospace, monospace; text-align: right; }
        """
}
