import DBOS

/// The HTML of the workflows list: filter form, table, next-page link.
struct WorkflowListView {
    let base: String
    let query: WorkflowListQuery
    let page: WorkflowPage

    var html: String {
        var rows = ""
        for workflow in page.workflows {
            let link = "\(base)/workflows/\(HTML.pathSegment(workflow.workflowID))"
            rows += """
                <tr data-workflow-id="\(HTML.escape(workflow.workflowID))">\
                <td><a href="\(HTML.escape(link))">\(HTML.escape(workflow.workflowID))</a></td>\
                <td>\(StatusBadge.html(workflow.workflowID, workflow.state))</td>\
                <td>\(HTML.escape(workflow.name))</td><td>\(HTML.escape(workflow.queueName ?? ""))</td>\
                <td class="time">\(HTML.escape(HTML.time(workflow.createdAt)))</td>\
                <td class="time">\(HTML.escape(HTML.time(workflow.completedAt)))</td></tr>

                """
        }
        let table = page.workflows.isEmpty ? "<p class=\"empty\">No workflow matches.</p>" : """
            <table class="workflows" data-live="true"><thead><tr><th>Workflow ID</th><th>Status</th><th>Name</th><th>Queue</th>\
            <th>Created</th><th>Completed</th></tr></thead>
            <tbody>
            \(rows)</tbody></table>
            """
        var pager = ""
        if let next = page.next {
            var items = query.filterQueryItems
            items.append(("before", next.text))
            items.append(("limit", "\(query.limit)"))
            pager = "<p class=\"pager\"><a id=\"next-page\" href=\"\(HTML.escape(base + "/?" + QueryString.make(items)))\">Older workflows →</a></p>"
        }
        if query.cursor != nil {
            let first = query.filterQueryItems
            pager += "<p class=\"pager\"><a id=\"first-page\" href=\"\(HTML.escape(base + "/" + (first.isEmpty ? "" : "?" + QueryString.make(first))))\">← Newest</a></p>"
        }
        return filterForm + table + pager
    }

    private var filterForm: String {
        let selected = Set((query.status ?? []).map(\.rawValue))
        let options = WorkflowState.known.map { state in
            "<option value=\"\(state.rawValue)\"\(selected.contains(state.rawValue) ? " selected" : "")>\(state.rawValue)</option>"
        }.joined()
        func field(_ name: String, _ label: String, _ value: String?, placeholder: String = "") -> String {
            """
            <label>\(label) <input name="\(name)" value="\(HTML.escape(value ?? ""))" placeholder="\(HTML.escape(placeholder))"></label>
            """
        }
        return """
            <form class="filters" method="get" action="\(HTML.escape(base))/">
            <label>Status <select name="status"><option value="">any</option>\(options)</select></label>
            \(field("name", "Name", query.name))
            \(field("queue", "Queue", query.queue))
            \(field("id_prefix", "ID prefix", query.idPrefix))
            \(field("created_after", "Created after", query.createdAfter.map(HTML.time), placeholder: "2026-11-30T09:00:00Z"))
            \(field("created_before", "Created before", query.createdBefore.map(HTML.time), placeholder: "2026-11-30T18:00:00Z"))
            <button type="submit">Filter</button>
            </form>

            """
    }
}

/// A status cell's content, which the live updates replace in place.
enum StatusBadge {
    static func html(_ workflowID: String, _ state: WorkflowState) -> String {
        "<span class=\"status status-\(HTML.escape(state.rawValue))\" data-status-for=\"\(HTML.escape(workflowID))\">\(HTML.escape(state.rawValue))</span>"
    }
}
