import DBOSTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import DBOS

/// Runs the built `dbos-swift` executable as a child process against databases written by a
/// `DBOS` runtime in the test, and checks its output, exit codes and effects.
@Suite(.timeLimit(.minutes(5))) struct CLITests {
    @Test(arguments: Backend.available)
    func listGetAndStepsPrintPythonCompatibleJSON(backend: Backend) async throws {
        let url = try await backend.freshDatabaseURL("cli")
        let greet = Workflow("cliGreet") { (name: String) async throws -> String in
            let upper = try await DBOS.step("upper") { name.uppercased() }
            let length = try await DBOS.step("length") { upper.count }
            return "\(upper):\(length)"
        }
        try await withRuntime(url, greet) { dbos in
            _ = try await dbos.run(greet, "ada", options: WorkflowOptions(workflowID: "cli-a"))
            _ = try await dbos.run(greet, "bob", options: WorkflowOptions(workflowID: "cli-b"))
        }

        // The URL from the environment variable this time.
        let list = try await CLI.run(["workflow", "list", "--json"], environment: [CLI.urlVariable: url])
        try #require(list.status == 0, "\(list.stderr)")
        let workflows = try CLI.objects(list.stdout)
        #expect(workflows.map { $0["workflow_id"] as? String } == ["cli-a", "cli-b"])
        #expect(workflows.map { $0["status"] as? String } == ["SUCCESS", "SUCCESS"])
        #expect(workflows.map { $0["name"] as? String } == ["cliGreet", "cliGreet"])
        #expect(workflows.first?["output"] as? String == #""ADA:3""#)

        let get = try await CLI.run(["workflow", "get", "cli-b", "--json"], database: url)
        let workflow = try #require(try JSONSerialization.jsonObject(with: Data(get.stdout.utf8)) as? [String: Any])
        #expect(workflow["workflow_id"] as? String == "cli-b")
        #expect(workflow["input"] as? String != nil)

        let steps = try CLI.objects(try await CLI.run(["workflow", "steps", "cli-a", "--json"], database: url).stdout)
        #expect(steps.map { CLI.int($0["function_id"]) } == [1, 2])
        #expect(steps.map { $0["function_name"] as? String } == ["upper", "length"])
        #expect(steps.map { $0["output"] as? String } == [#""ADA""#, "3"])

        let table = try await CLI.run(["workflow", "list"], database: url)
        #expect(table.stdout.contains("WORKFLOW ID") && table.stdout.contains("cli-a") && table.stdout.contains("cli-b"))
        let timeline = try await CLI.run(["workflow", "steps", "cli-a"], database: url)
        #expect(timeline.stdout.contains("DURATION") && timeline.stdout.contains("length"))

        for command in [["workflow", "get", "missing-wf"], ["workflow", "steps", "missing-wf"]] {
            let unknown = try await CLI.run(command, database: url)
            #expect(unknown.status == 1)
            #expect(unknown.stderr == "error: workflow 'missing-wf' does not exist\n")
            #expect(unknown.stdout.isEmpty)
        }
    }

    @Test(arguments: Backend.available)
    func listFiltersAndPages(backend: Backend) async throws {
        let url = try await backend.freshDatabaseURL("cli")
        let work = Workflow("cliFiltered") { (n: Int) async throws -> Int in n }
        try await withRuntime(url, applicationVersion: "v-cli", work) { dbos in
            for index in 1...3 { _ = try await dbos.run(work, index, options: WorkflowOptions(workflowID: "cli-f-\(index)")) }
            _ = try await dbos.run(work, 9, options: WorkflowOptions(workflowID: "other-9"))
        }
        func ids(_ arguments: [String]) async throws -> [String?] {
            let result = try await CLI.run(["workflow", "list", "--json"] + arguments, database: url)
            try #require(result.status == 0, "\(result.stderr)")
            return try CLI.objects(result.stdout).map { $0["workflow_id"] as? String }
        }
        #expect(try await ids(["--id-prefix", "cli-f-"]) == ["cli-f-1", "cli-f-2", "cli-f-3"])
        #expect(try await ids(["--id-prefix", "cli-f-", "--limit", "2", "--offset", "1"]) == ["cli-f-1", "cli-f-2"])
        #expect(try await ids(["--application-version", "v-cli", "--sort-desc", "--limit", "2"]) == ["other-9", "cli-f-3"])
        #expect(try await ids(["--application-version", "v-other"]).isEmpty)
        #expect(try await ids(["--executor-id", "local", "--name", "cliFiltered"]).count == 4)
        #expect(try await ids(["--start-time", "2000-01-01T00:00:00Z", "--end-time", "2000-12-31"]).isEmpty)
        #expect(try await ids(["--start-time", "2000-01-01", "--id-prefix", "other"]) == ["other-9"])

        let badTime = try await CLI.run(["workflow", "list", "--start-time", "yesterday"], database: url)
        #expect(badTime.status == 1)
        #expect(badTime.stderr == "error: --start-time 'yesterday' is not an ISO 8601 time (e.g. 2026-11-30T09:00:00Z)\n")
    }

    @Test func badDatabaseURLsFailWithOneLine() async throws {
        let malformed = try await CLI.run(["workflow", "list"], database: "mysql://x/y")
        #expect(malformed.status == 1)
        #expect(malformed.stderr == "error: invalid system database URL 'mysql://x/y': unsupported scheme 'mysql' (use postgresql://, sqlite:// or a file path)\n")
        let missing = try await CLI.run(["workflow", "list"])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains(CLI.urlVariable))
    }

    @Test(arguments: Backend.available)
    func cancelThenResumeAWaitingWorkflow(backend: Backend) async throws {
        let url = try await backend.freshDatabaseURL("cli")
        let waiter = Workflow("cliWaiter") { () async throws -> String in
            _ = try await DBOS.step("before") { "ready" }
            let message = try await DBOS.receive(String.self, topic: "go", timeout: .seconds(30))
            return "got \(message ?? "nothing")"
        }
        try await withRuntime(url, waiter) { dbos in
            _ = try await dbos.start(waiter, options: WorkflowOptions(workflowID: "cli-wait"))
            // The step, then the recv's recorded deadline: it now waits for the message.
            try await eventually("the recv to wait") { try await dbos.listSteps("cli-wait").count >= 2 }

            let cancel = try await CLI.run(["workflow", "cancel", "cli-wait"], database: url)
            #expect(cancel.status == 0, "\(cancel.stderr)")
            #expect(cancel.stdout == "Cancelled workflow 'cli-wait'\n")
            #expect(try await withClient(url) { try await $0.getWorkflowStatus("cli-wait")?.state } == .cancelled)
            // The runtime notices the cancellation at its next check (up to its polling interval).
            // Resuming before its execution has stopped would race with it.
            try await eventually("the cancelled execution to stop") { !dbos.running.isRunning("cli-wait") }

            let resume = try await CLI.run(["workflow", "resume", "cli-wait"], database: url)
            #expect(resume.status == 0, "\(resume.stderr)")
            try await withClient(url) { client in try await client.send("go", to: "cli-wait", topic: "go") }
            #expect(try await dbos.retrieve("cli-wait", as: String.self).result() == "got go")

            let late = try await CLI.run(["workflow", "cancel", "cli-wait"], database: url)
            #expect(late.status == 0)
            #expect(late.stdout.contains("already finished with status SUCCESS"))
            let again = try await CLI.run(["workflow", "resume", "cli-wait"], database: url)
            #expect(again.status == 0, "resuming a finished workflow is a no-op, as in DBOS")
            #expect(again.stdout == "Workflow 'cli-wait' had already finished with status SUCCESS; nothing to resume\n")
            #expect(try await CLI.run(["workflow", "cancel", "missing-wf"], database: url).stderr.contains("'missing-wf'"))
        }
    }

    @Test(arguments: Backend.available)
    func forkCreatesAWorkflowTheRuntimeRuns(backend: Backend) async throws {
        let url = try await backend.freshDatabaseURL("cli")
        let counter = Counter()
        let twoSteps = Workflow("cliForkable") { (start: Int) async throws -> Int in
            let first = try await DBOS.step("first") { counter.hit("first"); return start + 1 }
            return try await DBOS.step("second") { counter.hit("second"); return first * 10 }
        }
        try await withRuntime(url, twoSteps) { dbos in
            #expect(try await dbos.run(twoSteps, 4, options: WorkflowOptions(workflowID: "cli-orig")) == 50)

            let fork = try await CLI.run(["workflow", "fork", "cli-orig", "--step", "2", "--new-id", "cli-fork"], database: url)
            #expect(fork.status == 0, "\(fork.stderr)")
            #expect(fork.stdout == "cli-fork\n")
            #expect(try await dbos.retrieve("cli-fork", as: Int.self).result() == 50)
            #expect(counter.count("first") == 1 && counter.count("second") == 2)
            #expect(try await dbos.getWorkflowStatus("cli-fork")?.forkedFrom == "cli-orig")

            // Under another application version: a process of that version would run it.
            let other = try await CLI.run(["workflow", "fork", "cli-orig", "--step", "1", "--app-version", "v2"], database: url)
            let otherID = other.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let otherStatus = try #require(try await dbos.getWorkflowStatus(otherID), "\(other.stderr)")
            #expect(otherStatus.applicationVersion == "v2")

            let stepZero = try await CLI.run(["workflow", "fork", "cli-orig", "--step", "0"], database: url)
            #expect(stepZero.status == 1)
            #expect(stepZero.stderr == "error: invalid argument: fork needs a step of 1 or more, not 0\n")
            let taken = try await CLI.run(["workflow", "fork", "cli-orig", "--step", "1", "--new-id", "cli-fork"], database: url)
            #expect(taken.status == 1)
            #expect(taken.stderr == "error: workflow 'cli-fork' already exists: choose another --new-id\n")
            let unknown = try await CLI.run(["workflow", "fork", "missing-wf", "--step", "1"], database: url)
            #expect(unknown.status == 1)
            #expect(unknown.stderr == "error: workflow 'missing-wf' does not exist\n")
        }
    }

    @Test(arguments: Backend.available)
    func queueListShowsEnqueuedWorkflowsAndDeleteRemovesThem(backend: Backend) async throws {
        let url = try await backend.freshDatabaseURL("cli")
        let work = Workflow("cliParked") { () async throws -> String in "ran" }
        let parking = Queue("cli-parking")   // not registered with the runtime: its workflows stay ENQUEUED
        try await withRuntime(url, work) { dbos in
            _ = try await dbos.run(work, options: WorkflowOptions(workflowID: "cli-done"))
            _ = try await dbos.enqueue(work, on: parking, options: EnqueueOptions(workflowID: "cli-parked"))

            let queued = try CLI.objects(try await CLI.run(["queue", "list", "--json"], database: url).stdout)
            #expect(queued.map { $0["workflow_id"] as? String } == ["cli-parked"])
            #expect(queued.first?["queue_name"] as? String == "cli-parking")
            #expect(queued.first?["status"] as? String == "ENQUEUED")
            let onQueue = try CLI.objects(try await CLI.run(["queue", "list", "--queue", "cli-parking", "--json"], database: url).stdout)
            #expect(onQueue.count == 1)
            let elsewhere = try await CLI.run(["queue", "list", "--queue", "other", "--json"], database: url)
            #expect(try CLI.objects(elsewhere.stdout).isEmpty)
            let table = try await CLI.run(["queue", "list"], database: url)
            #expect(table.stdout.contains("cli-parked") && table.stdout.contains("cli-parking") && !table.stdout.contains("cli-done"))

            let delete = try await CLI.run(["workflow", "delete", "cli-parked"], database: url)
            #expect(delete.status == 0, "\(delete.stderr)")
            #expect(try await dbos.getWorkflowStatus("cli-parked") == nil)
            #expect(try await CLI.run(["queue", "list"], database: url).stdout == "No queued workflows.\n")
            let again = try await CLI.run(["workflow", "delete", "cli-parked"], database: url)
            #expect(again.status == 1)
            #expect(again.stderr == "error: workflow 'cli-parked' does not exist\n")
        }
    }

    @Test(arguments: Backend.available)
    func resetRecreatesAnEmptySystemDatabase(backend: Backend) async throws {
        let url = try await backend.freshDatabaseURL("cli")
        let work = Workflow("cliResettable") { () async throws -> Int in 1 }
        try await withRuntime(url, work) { dbos in
            _ = try await dbos.run(work, options: WorkflowOptions(workflowID: "cli-old"))
        }

        let refused = try await CLI.run(["reset"], database: url)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("pass --yes to confirm"))
        #expect(try await withClient(url) { try await $0.getWorkflowStatus("cli-old") } != nil)

        let reset = try await CLI.run(["reset", "--yes"], database: url)
        #expect(reset.status == 0, "\(reset.stderr)")
        #expect(reset.stdout == "Reset DBOS system database (schema version \(SystemSchema.version))\n")
        #expect(try await withClient(url) { try await $0.listWorkflows() }.isEmpty)
        #expect(try await withClient(url) { try await $0.migrate() }.previousVersion == SystemSchema.version, "the schema is back")

        // The API behind it, on a database in use again (on SQLite: the tables are dropped, not the file).
        try await withRuntime(url, work) { dbos in
            _ = try await dbos.run(work, options: WorkflowOptions(workflowID: "cli-new"))
        }
        let report = try await withClient(url) { try await $0.resetSystemDatabase() }
        #expect(report.version == SystemSchema.version)
        #expect(try await withClient(url) { try await $0.listWorkflows() }.isEmpty)
        let after = try await withRuntime(url, work) { dbos in try await dbos.run(work, options: WorkflowOptions(workflowID: "cli-after")) }
        #expect(after == 1, "usable after the reset")
    }

    @Test(arguments: Backend.available)
    func gcDeletesFinishedWorkflowsAndReportsCounts(backend: Backend) async throws {
        let url = try await backend.freshDatabaseURL("cli")
        let work = Workflow("cliCollected") { (index: Int) async throws -> Int in
            try await DBOS.step("double") { index * 2 }
        }
        try await withRuntime(url, work) { dbos in
            for index in 1...3 {
                _ = try await dbos.run(work, index, options: WorkflowOptions(workflowID: "cli-gc-\(index)"))
                try await Task.sleep(for: .milliseconds(5))   // distinct completion times, not a wait for an event
            }
        }
        let refused = try await CLI.run(["workflow", "gc"], database: url)
        #expect(refused.status != 0 && refused.stderr.contains("--older-than"), "\(refused.stderr)")
        #expect(try await CLI.run(["workflow", "gc", "--older-than", "soon"], database: url).status != 0)

        let gc = try await CLI.run(["workflow", "gc", "--older-than", "0s", "--keep-latest", "1", "--json"], database: url)
        #expect(gc.status == 0, "\(gc.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(gc.stdout.utf8)) as? [String: Any])
        #expect(CLI.int(report["workflows"]) == 2 && CLI.int(report["steps"]) == 2, "\(gc.stdout)")
        #expect(try await withClient(url) { try await $0.listWorkflows() }.map(\.workflowID) == ["cli-gc-3"])

        let text = try await CLI.run(["workflow", "gc", "--older-than", "0s"], database: url)
        #expect(text.stdout == "Deleted 1 finished workflows, 1 steps, 0 messages, 0 events and 0 stream values\n", "\(text.stderr)")
    }

    /// `workflow export` writes a workflow and its child to a file that `workflow import` reads
    /// into a new SQLite file (the laptop), where `workflow steps` shows the recorded steps.
    @Test(arguments: Backend.available)
    func exportToAFileAndImportIntoANewSQLiteFile(backend: Backend) async throws {
        let url = try await backend.freshDatabaseURL("cli")
        let child = Workflow("cliExportChild") { (value: Int) async throws -> Int in try await DBOS.step("inc") { value + 1 } }
        let parent = Workflow("cliExportParent") { (value: Int) async throws -> Int in
            let first = try await DBOS.step("start") { value }
            return try await #require(DBOS.currentRuntime).run(child, first)
        }
        let answer = try await withRuntime(url, parent, child) { dbos in
            try await dbos.run(parent, 41, options: WorkflowOptions(workflowID: "cli-exp"))
        }
        #expect(answer == 42)
        let folder = try ScratchDirectory.fresh("cli-export")
        let file = folder.appendingPathComponent("cli-exp.json").path
        let exported = try await CLI.run(["workflow", "export", "cli-exp", "--output", file], database: url)
        #expect(exported.status == 0, "\(exported.stderr)")
        #expect(exported.stderr.contains("Exported 2 workflows to \(file)"), "\(exported.stderr)")

        let laptop = "sqlite://" + folder.appendingPathComponent("laptop.sqlite").path
        let imported = try await CLI.run(["workflow", "import", file], database: laptop)
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout == "Imported 2 workflows: cli-exp, cli-exp-2\n", "\(imported.stdout)")
        let steps = try await CLI.run(["workflow", "steps", "cli-exp"], database: laptop)
        let recorded = try await CLI.run(["workflow", "steps", "cli-exp"], database: url)
        #expect(steps.status == 0 && steps.stdout == recorded.stdout, "the laptop shows the steps production recorded: \(steps.stdout)")
        #expect(try await withClient(laptop) { try await $0.listSteps("cli-exp") }.count == 3)
        let again = try await CLI.run(["workflow", "import", file], database: laptop)
        #expect(again.status != 0 && again.stderr.contains("cannot import workflow 'cli-exp'"), "\(again.stderr)")
        let missing = try await CLI.run(["workflow", "export", "nobody"], database: url)
        #expect(missing.status != 0 && missing.stderr.contains("nobody"), "\(missing.stderr)")
    }

    /// `schedule list/pause/resume/trigger/backfill` on a schedule a runtime stored.
    @Test(arguments: Backend.available)
    func schedulesArePausedTriggeredAndBackfilled(backend: Backend) async throws {
        let url = try await backend.freshDatabaseURL("cli")
        let report = Workflow("cliReport") { (tick: Date) async throws -> String in "\(tick)" }
        let dbos = try DBOS(config: DBOSConfig(name: "test", systemDatabaseURL: url, applicationVersion: "test-version"))
        try dbos.register(report)
        try dbos.schedule("cli-hourly", cron: "0 0 * * * *", workflow: report)
        try await dbos.launch()
        await dbos.shutdown()

        let listed = try await CLI.run(["schedule", "list", "--json"], database: url)
        let rows = try CLI.objects(listed.stdout)
        #expect(rows.map { $0["schedule_name"] as? String } == ["cli-hourly"] && rows.first?["status"] as? String == "ACTIVE", "\(listed.stdout)")
        #expect(try await CLI.run(["schedule", "pause", "cli-hourly"], database: url).stdout == "Paused schedule 'cli-hourly'\n")
        #expect(try CLI.objects(try await CLI.run(["schedule", "list", "cli-hourly", "--json"], database: url).stdout).first?["status"] as? String == "PAUSED")
        #expect(try await CLI.run(["schedule", "resume", "cli-hourly"], database: url).status == 0)

        let triggered = try await CLI.run(["schedule", "trigger", "cli-hourly"], database: url)
        #expect(triggered.status == 0 && triggered.stdout.hasPrefix("sched-cli-hourly-trigger-"), "\(triggered.stdout) \(triggered.stderr)")
        let backfill = try await CLI.run(["schedule", "backfill", "cli-hourly", "--start", "2026-01-01T00:00:00Z",
                                          "--end", "2026-01-01T03:00:00Z"], database: url)
        #expect(backfill.stdout == "sched-cli-hourly-2026-01-01T01:00:00+00:00\nsched-cli-hourly-2026-01-01T02:00:00+00:00\n",
                "\(backfill.stdout) \(backfill.stderr)")
        let enqueued = try await withClient(url) { try await $0.listWorkflows(ListWorkflowsFilter(workflowIDPrefix: "sched-cli-hourly-")) }
        #expect(enqueued.count == 3 && enqueued.allSatisfy { $0.state == .enqueued && $0.name == "cliReport" })
        let missing = try await CLI.run(["schedule", "pause", "nothing"], database: url)
        #expect(missing.status != 0 && missing.stderr.contains("schedule 'nothing' does not exist"), "\(missing.stderr)")
    }

    @Test(arguments: Backend.available)
    func versionsAreListedAndTheLatestChosen(backend: Backend) async throws {
        let url = try await backend.freshDatabaseURL("cli")
        for version in ["v1", "v2"] {
            let dbos = try DBOS(config: DBOSConfig(name: "test", systemDatabaseURL: url, applicationVersion: version))
            try await dbos.launch()
            await dbos.shutdown()
        }
        try await withClient(url) { try await $0.setLatestApplicationVersion("v2") }
        let names = { (output: String) in try CLI.objects(output).map { $0["version_name"] as? String } }
        #expect(try names(try await CLI.run(["version", "list", "--json"], database: url).stdout) == ["v2", "v1"])
        let set = try await CLI.run(["version", "set-latest", "v1"], database: url)
        #expect(set.stdout == "Application version 'v1' is now the latest\n", "\(set.stderr)")
        #expect(try names(try await CLI.run(["version", "list", "--json"], database: url).stdout) == ["v1", "v2"])
        let text = try await CLI.run(["version", "list"], database: url).stdout
        #expect(text.hasPrefix("v1  since ") && text.contains("(latest)"), "\(text)")
        let unknown = try await CLI.run(["version", "set-latest", "v9"], database: url)
        #expect(unknown.status != 0 && unknown.stderr.contains("application version 'v9' is not registered"), "\(unknown.stderr)")
    }

    /// Runs `body` with a ``DBOSClient`` on `url`, closes the client and returns the result.
    private func withClient<T>(_ url: String, _ body: (DBOSClient) async throws -> T) async throws -> T {
        let client = try await DBOSClient(databaseURL: url)
        do {
            let result = try await body(client)
            await client.close()
            return result
        } catch {
            await client.close()
            throw error
        }
    }
}

/// The `dbos-swift` executable built next to the test binary.
enum CLI {
    static let urlVariable = "DBOS_SYSTEM_DATABASE_URL"

    /// One finished run.
    struct Result: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `program arguments` (plus `--database-url database` when given), with the
    /// test's environment minus ``urlVariable``, plus `environment`. `program` is `dbos-swift`
    /// unless given.
    static func run(_ arguments: [String], database: String? = nil, environment: [String: String] = [:],
                    program: String = "dbos-swift") async throws -> Result {
        var variables: [String: String?] = [urlVariable: nil]
        for (name, value) in environment { variables[name] = value }
        let run = try await ChildProcess.run(program, arguments + (database.map { ["--database-url", $0] } ?? []),
                                             environment: variables)
        return Result(status: run.status, stdout: run.stdout, stderr: run.stderr)
    }

    /// A JSON array of objects.
    static func objects(_ text: String) throws -> [[String: Any]] {
        guard let objects = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]] else {
            throw TestFailure("not a JSON array of objects: \(text)")
        }
        return objects
    }

    /// A JSON number as an `Int`.
    static func int(_ value: Any?) -> Int? {
        (value as? NSNumber)?.intValue ?? value as? Int
    }
}
