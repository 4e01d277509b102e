import DBOS
import DBOSTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The console in a real headless browser (Debian's `chromium`, driven over the DevTools
/// protocol): `dbos-swift console` serves it with a token; the test logs in with `?token=`,
/// sees the list update live, the timeline of a workflow, cancels one (accepting the confirm
/// dialog) and sees its status change in place, and forks another from step 2.
/// Screenshots go to `.build/test-logs/console-<backend>-*.png`.
@Suite(.timeLimit(.minutes(5)),
       .enabled(if: Chromium.isAvailable, "chromium is not installed (apt-get install -y chromium): the browser test is SKIPPED"))
struct ConsoleBrowserTests {
    static let token = "browser-token"

    /// The package's `.build/test-logs/` folder.
    static let logs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".build/test-logs")

    @Test(arguments: Backend.available)
    func browseLiveUpdatesCancelAndFork(backend: Backend) async throws {
        let url = try await backend.freshDatabaseURL("console")
        try await withRuntime(url, TestWorkflows.greet, TestWorkflows.waiter) { dbos in
            _ = try await dbos.run(TestWorkflows.greet, "ada", options: WorkflowOptions(workflowID: "br-done"))
            for id in ["br-running", "br-live"] {
                _ = try await dbos.start(TestWorkflows.waiter, options: WorkflowOptions(workflowID: id))
                try await eventually("\(id) to wait") { try await dbos.listSteps(id).count >= 3 }
            }
            let server = try ChildProcess.start("dbos-swift", ["console", "--database-url", url, "--port", "0", "--token", Self.token])
            let chromium: Chromium
            do {
                chromium = try await Chromium.start()
            } catch {
                try? await server.stop()
                throw error
            }
            do {
                let base = try await server.awaitMatch("listening on (http://[^ /]+)/")
                try await Self.drive(base: base, browser: chromium.webSocketURL, backend: backend, dbos: dbos)
            } catch {
                await chromium.stop()
                try? await server.stop()
                throw error
            }
            await chromium.stop()
            server.kill(SIGTERM)
            let status = try await server.waitForExit()
            #expect(status == 0, "dbos-swift console: \(server.output)")
            #expect(server.output.contains("console action"), "\(server.output)")
        }
    }

    private static func drive(base: String, browser: String, backend: Backend, dbos: DBOS) async throws {
        let shots = logs.appendingPathComponent("console-\(backend.rawValue)")
        try await DevToolsPage.with(browser: browser) { page in
            // Log in: ?token= sets the cookie and redirects to the list.
            try await page.open("\(base)/?token=\(token)", landing: "\(base)/")
            try await page.waitUntil("the three workflows", "document.querySelectorAll('tr[data-workflow-id]').length === 3")
            let listed = try await page.evaluate("Array.from(document.querySelectorAll('tr[data-workflow-id]')).map(r => r.dataset.workflowId).join(',')")
            #expect(listed as? String == "br-live,br-running,br-done")

            // A status change pushed by the server shows without a reload.
            _ = try await page.evaluate("window.consoleMarker = 'same page'; true")
            try await dbos.send("go", to: "br-live", topic: "go")
            try await page.waitUntil("br-live to show SUCCESS in place", """
                document.querySelector('[data-status-for="br-live"]').textContent === 'SUCCESS' && window.consoleMarker === 'same page'
                """)
            try await page.screenshot(to: URL(fileURLWithPath: shots.path + "-list.png"))

            // The timeline: one bar per step; a click shows the step's output.
            try await page.open("\(base)/workflows/br-done")
            let steps = try await dbos.listSteps("br-done").count
            #expect(try await page.evaluate("document.querySelectorAll('.timeline .bar').length") as? Int == steps)
            #expect(try await page.evaluate("document.querySelectorAll('.timeline .bar')[1].style.width !== ''") as? Bool == true)
            _ = try await page.evaluate("document.querySelector('.bar[data-step-id=\"2\"]').click(); true")
            try await page.waitUntil("step 2's output", """
                !document.getElementById('step-detail-2').hidden && document.getElementById('step-detail-2').textContent.includes('ADA!')
                """)
            try await page.screenshot(to: URL(fileURLWithPath: shots.path + "-timeline.png"))

            // Cancel a running workflow: confirm, then the status cell changes in place.
            try await page.open("\(base)/workflows/br-running")
            _ = try await page.evaluate("window.consoleMarker = 'same page'; document.querySelector('button[data-action=\"cancel\"]').click(); true")
            try await page.waitUntil("br-running to show CANCELLED in place", """
                document.querySelector('[data-status-for="br-running"]').textContent === 'CANCELLED' && window.consoleMarker === 'same page'
                """)
            #expect(page.dialogs.contains("Cancel workflow br-running?"), "\(page.dialogs)")
            // The actions follow the status: Cancel goes, Resume comes, without a reload.
            try await page.waitUntil("Cancel hidden and Resume shown", """
                document.querySelector('button[data-action="cancel"]').hidden && !document.querySelector('button[data-action="resume"]').hidden
                """)
            #expect(try await dbos.getWorkflowStatus("br-running")?.state == .cancelled)
            try await page.screenshot(to: URL(fileURLWithPath: shots.path + "-cancelled.png"))

            // Fork from step 2: the page moves to the new workflow. A finished workflow offers
            // neither Cancel nor Resume.
            try await page.open("\(base)/workflows/br-done")
            #expect(try await page.evaluate("""
                document.querySelector('button[data-action="cancel"]').hidden && document.querySelector('button[data-action="resume"]').hidden
                """) as? Bool == true)
            _ = try await page.evaluate("""
                document.getElementById('fork-step').value = '2'; document.querySelector('button[data-action="fork"]').click(); true
                """)
            try await page.waitUntil("the fork's page", """
                document.readyState === 'complete' && location.pathname.startsWith('/workflows/') && location.pathname !== '/workflows/br-done'
                && document.body.textContent.includes('Forked from')
                """)
            #expect(page.dialogs.contains("Fork workflow br-done from step 2?"), "\(page.dialogs)")
            let forkID = try #require(try await page.evaluate("decodeURIComponent(location.pathname.split('/')[2])") as? String)
            #expect(try await dbos.getWorkflowStatus(forkID)?.forkedFrom == "br-done")
            try await eventually("the fork to finish") { try await dbos.getWorkflowStatus(forkID)?.state == .success }
            // The fork finishes while its page is open: status, completion time and output
            // appear in place, without a reload.
            _ = try await page.evaluate("window.consoleMarker = 'fork page'; true")
            try await page.waitUntil("the fork's status, completion and output to show in place", """
                document.querySelector('[data-status-for=' + JSON.stringify(\(DevToolsPage.quoted(forkID))) + ']').textContent === 'SUCCESS'
                && document.getElementById('field-completed').textContent !== ''
                && (document.getElementById('output') || {}).textContent === '"ADA!"' && window.consoleMarker === 'fork page'
                """)
            try await page.screenshot(to: URL(fileURLWithPath: shots.path + "-fork.png"))
        }
    }
}
