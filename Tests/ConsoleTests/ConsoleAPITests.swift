import DBOS
import DBOSConsole
import DBOSTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// The console over real HTTP: JSON API, filters, keyset pages, pages' HTML, 4xx for bad input.
@Suite(.timeLimit(.minutes(5))) struct ConsoleAPITests {
    /// Runs five greetings (api-1 ... api-5, oldest first) and one failing workflow (other-1, newest).
    static func seed(_ url: String) async throws {
        try await withRuntime(url, TestWorkflows.greet, TestWorkflows.fail) { dbos in
            for index in 1...5 {
                _ = try await dbos.run(TestWorkflows.greet, "n\(index)", options: WorkflowOptions(workflowID: "api-\(index)"))
            }
            await #expect(throws: (any Error).self) {
                _ = try await dbos.run(TestWorkflows.fail, options: WorkflowOptions(workflowID: "other-1"))
            }
        }
    }

    static func ids(_ fetched: Fetched) throws -> [String] {
        try #require(fetched.status == .ok, "\(fetched.body)")
        return try (fetched.object["workflows"] as? [[String: Any]] ?? []).compactMap { $0["workflow_id"] as? String }
    }

    @Test(arguments: Backend.available)
    func listFiltersAndKeysetPages(backend: Backend) async throws {
        let url = try await backend.freshDatabaseURL("console")
        try await Self.seed(url)
        try await withConsole(url) { http, _ in
            #expect(try Self.ids(try await http.fetch("/api/workflows")) == ["other-1", "api-5", "api-4", "api-3", "api-2", "api-1"])
            #expect(try Self.ids(try await http.fetch("/api/workflows?status=ERROR")) == ["other-1"])
            #expect(try Self.ids(try await http.fetch("/api/workflows?status=SUCCESS&status=ERROR&limit=2")) == ["other-1", "api-5"])
            #expect(try Self.ids(try await http.fetch("/api/workflows?name=consoleFail")) == ["other-1"])
            #expect(try Self.ids(try await http.fetch("/api/workflows?id_prefix=api-&status=SUCCESS")).count == 5)
            #expect(try Self.ids(try await http.fetch("/api/workflows?queue=nowhere")).isEmpty)
            #expect(try Self.ids(try await http.fetch("/api/workflows?created_before=2000-01-01")).isEmpty)
            #expect(try Self.ids(try await http.fetch("/api/workflows?created_after=2000-01-01T00:00:00Z&id_prefix=other")) == ["other-1"])
            #expect(try Self.ids(try await http.fetch("/api/workflows?created_after=2999-01-01T00:00")).isEmpty)

            // Keyset pages of two, newest first, until there is no next cursor.
            var pages: [[String]] = []
            var cursor: String? = nil
            repeat {
                let query = "/api/workflows?name=consoleGreet&limit=2" + (cursor.map { "&before=" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0) } ?? "")
                let page = try await http.fetch(query)
                pages.append(try Self.ids(page))
                cursor = try page.object["next_cursor"] as? String
            } while cursor != nil && pages.count < 5
            #expect(pages == [["api-5", "api-4"], ["api-3", "api-2"], ["api-1"]])

            // The HTML list pages the same way.
            let html = try await http.fetch("/?name=consoleGreet&limit=2")
            #expect(html.status == .ok && html.contentType.hasPrefix("text/html"))
            #expect(html.body.contains("data-workflow-id=\"api-5\"") && !html.body.contains("data-workflow-id=\"api-3\""))
            #expect(html.body.contains("id=\"next-page\""))
            #expect(html.body.contains("data-status-for=\"api-4\">SUCCESS<"))

            let one = try await http.fetch("/api/workflows/api-3")
            #expect(try one.object["status"] as? String == "SUCCESS")
            #expect(try one.object["output"] as? String == #""N3!""#)
            let steps = try await http.fetch("/api/workflows/api-3/steps").objects
            #expect(steps.map { $0["function_id"] as? Int } == [1, 2])
            #expect(steps.map { $0["function_name"] as? String } == ["upper", "exclaim"])
            #expect(steps.map { $0["output"] as? String } == [#""N3""#, #""N3!""#])

            let page = try await http.fetch("/workflows/api-3")
            #expect(page.status == .ok)
            #expect(page.body.components(separatedBy: "class=\"bar ").count - 1 == 2)
            #expect(page.body.contains("&quot;N3!&quot;"))
            #expect(page.body.contains("<option value=\"2\">2 · exclaim</option>"))
            #expect(page.headers[HTTPField.Name("Content-Security-Policy")!]?.contains("script-src 'self'") == true)
            let failed = try await http.fetch("/workflows/other-1")
            #expect(failed.body.contains("id=\"error\""))
        }
    }

    @Test(arguments: Backend.available)
    func valuesAreEscaped(backend: Backend) async throws {
        let url = try await backend.freshDatabaseURL("console")
        let hostile = "<script>alert('x')</script>&\""
        try await withRuntime(url, TestWorkflows.greet) { dbos in
            _ = try await dbos.run(TestWorkflows.greet, hostile, options: WorkflowOptions(workflowID: "x<b>\"'&/1"))
        }
        try await withConsole(url) { http, _ in
            let list = try await http.fetch("/")
            #expect(!list.body.contains("<b>") && list.body.contains("x&lt;b&gt;&quot;&#39;&amp;/1"))
            let id = "x<b>\"'&/1".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let page = try await http.fetch("/workflows/\(id)")
            #expect(page.status == .ok, "\(page.body)")
            #expect(!page.body.contains("<script>alert"))
            #expect(page.body.contains("&lt;SCRIPT&gt;ALERT(&#39;X&#39;)&lt;/SCRIPT&gt;"))
            #expect(try await http.fetch("/api/workflows/\(id)").object["workflow_id"] as? String == "x<b>\"'&/1")
        }
    }

    @Test(arguments: Backend.available)
    func aWorkflowPageShowsItsEventsAndStreams(backend: Backend) async throws {
        let url = try await backend.freshDatabaseURL("console")
        try await withRuntime(url, TestWorkflows.publisher) { dbos in
            _ = try await dbos.run(TestWorkflows.publisher, options: WorkflowOptions(workflowID: "pub-1"))
        }
        try await withConsole(url) { http, _ in
            let page = try await http.fetch("/workflows/pub-1")
            #expect(page.status == .ok)
            #expect(page.body.contains("<h2>Events</h2>") && page.body.contains("data-event=\"status\""))
            #expect(page.body.contains("&quot;&lt;done&gt;&quot;") && !page.body.contains("starting"))
            #expect(page.body.contains("tokens · 2 values · closed") && page.body.contains("open · 1 value · open"))
            #expect(page.body.contains("<code>&quot;beta&quot;</code>"))

            let events = try await http.fetch("/api/workflows/pub-1/events").objects
            #expect(events.map { $0["key"] as? String } == ["progress", "status"])
            let streams = try await http.fetch("/api/workflows/pub-1/streams").objects
            #expect(streams.map { $0["key"] as? String } == ["open", "tokens"])
            #expect(streams.last?["is_closed"] as? Bool == true && streams.last?["count"] as? Int == 2)
            #expect(try await http.fetch("/api/workflows/nope/streams").status == .notFound)
        }
    }

    @Test(arguments: Backend.available)
    func badInputGetsA4xxNeverA500(backend: Backend) async throws {
        let url = try await backend.freshDatabaseURL("console")
        try await Self.seed(url)
        try await withConsole(url) { http, _ in
            func expectHTML(_ uri: String, _ status: HTTPResponse.Status, _ text: String) async throws {
                let fetched = try await http.fetch(uri)
                #expect(fetched.status == status, "\(uri): \(fetched.body)")
                #expect(fetched.contentType.hasPrefix("text/html"), "\(uri)")
                #expect(fetched.body.contains(text), "\(uri): \(fetched.body)")
            }
            func expectJSON(_ fetched: Fetched, _ status: HTTPResponse.Status, _ text: String) throws {
                #expect(fetched.status == status, "\(fetched.body)")
                #expect(fetched.contentType.hasPrefix("application/json"))
                #expect((try fetched.object["error"] as? String)?.contains(text) == true, "\(fetched.body)")
            }
            try await expectHTML("/workflows/missing-wf", .notFound, "workflow &#39;missing-wf&#39; does not exist")
            try await expectHTML("/?status=NOPE", .badRequest, "unknown status &#39;NOPE&#39;")
            try await expectHTML("/?created_after=yesterday", .badRequest, "created_after &#39;yesterday&#39; is not an ISO 8601 time")
            try await expectHTML("/?before=garbage", .badRequest, "malformed cursor")
            try await expectHTML("/?limit=0", .badRequest, "limit &#39;0&#39; is not a number from 1 to 500")
            try expectJSON(try await http.fetch("/api/workflows/missing-wf"), .notFound, "does not exist")
            try expectJSON(try await http.fetch("/api/workflows/missing-wf/steps"), .notFound, "does not exist")
            try expectJSON(try await http.fetch("/api/workflows?created_before=2026-13-45"), .badRequest, "not an ISO 8601 time")
            try expectJSON(try await http.fetch("/api/workflows?before=12_"), .badRequest, "malformed cursor")
            try expectJSON(try await http.action("fork", "api-1", query: "?step=99"), .badRequest, "has no step 99")
            try expectJSON(try await http.action("fork", "api-1", query: "?step=two"), .badRequest, "fork needs ?step=")
            try expectJSON(try await http.action("fork", "api-1"), .badRequest, "fork needs ?step=")
            try expectJSON(try await http.action("cancel", "missing-wf"), .notFound, "does not exist")
            try expectJSON(try await http.action("explode", "api-1"), .notFound, "unknown action")
            try expectJSON(try await http.action("resume", "api-1"), .conflict, "api-1")
            try expectJSON(try await http.fetch("/api/workflows/api-1/cancel", method: .post), .forbidden, "X-DBOS-Console")
            #expect(try await http.fetch("/api/workflows/api-1").status == .ok)
        }
    }

    @Test(arguments: Backend.available)
    func actionsCancelResumeForkDelete(backend: Backend) async throws {
        let url = try await backend.freshDatabaseURL("console")
        try await withRuntime(url, TestWorkflows.waiter) { dbos in
            _ = try await dbos.start(TestWorkflows.waiter, options: WorkflowOptions(workflowID: "act-1"))
            try await eventually("two steps and the wait") { try await dbos.listSteps("act-1").count >= 3 }
            try await withConsole(url) { http, client in
                let cancelled = try await http.action("cancel", "act-1")
                #expect(cancelled.status == .ok, "\(cancelled.body)")
                #expect(try cancelled.object["status"] as? String == "CANCELLED")
                #expect(try await client.getWorkflowStatus("act-1")?.state == .cancelled)

                // The cancelled execution may still sit in its receive, so no message is sent to
                // act-1 (the old execution could take it); the resumed one is only seen to run.
                let resumed = try await http.action("resume", "act-1")
                #expect(resumed.status == .ok, "\(resumed.body)")
                try await eventually("the resumed workflow to run") { try await client.getWorkflowStatus("act-1")?.state == .pending }

                let forked = try await http.action("fork", "act-1", query: "?step=2")
                #expect(forked.status == .ok, "\(forked.body)")
                let forkID = try #require(try forked.object["new_workflow_id"] as? String)
                try await eventually("the fork to wait") { try await client.listSteps(forkID).count >= 3 }
                #expect(try await client.getWorkflowStatus(forkID)?.forkedFrom == "act-1")
                try await client.send("go", to: forkID, topic: "go")
                try await eventually("the fork to finish") { try await client.getWorkflowStatus(forkID)?.state == .success }
                let page = try await http.fetch("/workflows/\(forkID)")
                #expect(page.body.contains("Forked from"))

                #expect(try await http.action("delete", "act-1").status == .ok)
                #expect(try await http.fetch("/api/workflows/act-1").status == .notFound)
            }
        }
    }

    @Test(arguments: Backend.available)
    func queuesAndMetrics(backend: Backend) async throws {
        let url = try await backend.freshDatabaseURL("console")
        try await Self.seed(url)
        try await withConsole(url) { http, client in
            // No process serves this queue: the three stay ENQUEUED.
            for index in 1...3 {
                _ = try await client.enqueue(workflowName: "consoleGreet", queue: "console-q", "q\(index)",
                                             options: EnqueueOptions(workflowID: "queued-\(index)"))
            }
            let queues = try await http.fetch("/api/queues").objects
            let row = try #require(queues.first { $0["name"] as? String == "console-q" })
            #expect(row["enqueued"] as? Int == 3 && row["running"] as? Int == 0)
            #expect((row["oldest_enqueued_age"] as? Double ?? -1) >= 0 && row["registered"] as? Bool == false)
            #expect(try await http.fetch("/api/schedules").status == .ok)
            let page = try await http.fetch("/queues")
            #expect(page.body.contains("data-queue=\"console-q\""))

            let metrics = try await http.fetch("/metrics")
            #expect(metrics.status == .ok && metrics.contentType.hasPrefix("text/plain"))
            #expect(metrics.body.contains("dbos_workflows{status=\"SUCCESS\"} 5"), "\(metrics.body)")
            #expect(metrics.body.contains("dbos_workflows{status=\"ERROR\"} 1"))
            #expect(metrics.body.contains("dbos_workflows{status=\"ENQUEUED\"} 3"))
            #expect(metrics.body.contains("dbos_queue_depth{queue=\"console-q\"} 3"))
            #expect(metrics.body.contains("# TYPE dbos_queue_oldest_enqueued_age_seconds gauge"))
        }
    }
}
