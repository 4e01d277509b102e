import DBOSTestSupport
import DBOSTesting
import Foundation
import Testing
@testable import DBOS

/// Export and import of whole workflows (issue 15): every row of a workflow and its children,
/// written as JSON on one backend and read back on either, where the workflow can be listed,
/// replayed and forked as on its own database.
@Suite(.timeLimit(.minutes(5))) struct ExportImportTests {
    static let child = Workflow("exportChild") { (number: Int) async throws -> Int in
        try await DBOS.step("double") { number * 2 }
    }

    static func parent(_ counter: Counter) -> Workflow<String, String> {
        Workflow("exportParent") { (topic: String) async throws -> String in
            let fetched = try await DBOS.step("fetch") { counter.hit("fetch"); return "fetched" }
            try await DBOS.setEvent("phase", to: "fetched")
            try await DBOS.setEvent("phase", to: "summed")
            try await DBOS.write("first", toStream: "log")
            try await DBOS.write("second", toStream: "log")
            let doubled = try await #require(DBOS.currentRuntime).run(Self.child, 21)   // ops 6 and 7
            let message = try await DBOS.receive(String.self, topic: topic, timeout: .seconds(60)) ?? "none"
            let summary = try await DBOS.step("summarize") { counter.hit("summarize"); return "\(fetched) \(doubled) \(message)" }
            return summary
        }
    }

    /// Exported on `backend`, written to JSON and read back, then imported into an empty
    /// database of each backend: the rows are the same, the import refuses to run twice, the
    /// export replays with the current code, and a fork of the import reuses the recorded steps.
    @Test(arguments: Backend.available)
    func anExportImportsIntoEitherBackendAsItWas(backend: Backend) async throws {
        let counter = Counter()
        let parent = Self.parent(counter)
        let source = try await backend.freshDatabaseURL("export")
        let export = try await withRuntime(source, parent, Self.child) { dbos in
            let handle = try await dbos.start(parent, "go", options: WorkflowOptions(workflowID: "p-1"))
            try await dbos.send("hello", to: "p-1", topic: "go")
            try await dbos.send("unread", to: "p-1", topic: "later")
            #expect(try await handle.result() == "fetched 42 hello")
            return try await dbos.exportWorkflow("p-1")
        }
        #expect(export.workflows.map(\.workflowID) == ["p-1", "p-1-6"], "the workflow, then its child")
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let file = try decoder.decode(WorkflowExport.self, from: try encoder.encode(export))

        let original = try await DBOSClient(databaseURL: source)
        for target in Backend.available {
            let url = try await target.freshDatabaseURL("import")
            let client = try await DBOSClient(databaseURL: url)
            _ = try await client.migrate()
            try await client.importWorkflow(file)
            for id in ["p-1", "p-1-6"] {
                #expect(try await client.getWorkflowStatus(id) == original.getWorkflowStatus(id), "\(backend) to \(target): \(id)")
                #expect(try await client.listSteps(id) == original.listSteps(id), "\(backend) to \(target): steps of \(id)")
            }
            #expect(try await client.listEvents("p-1") == original.listEvents("p-1"))
            #expect(try await client.listStreams("p-1") == original.listStreams("p-1"))
            let unread = try await client.rawSQL("SELECT message FROM dbos.notifications WHERE destination_uuid = 'p-1' AND consumed = \(false)")
            #expect(unread.map { $0.string("message") } == [#""unread""#], "the unread message came along")
            await #expect(throws: DBOSError.invalidArgument("cannot import workflow 'p-1': a workflow with that ID exists in this database")) {
                try await client.importWorkflow(file)
            }
            await client.close()

            // The imported history replays, and a fork of it reuses what was recorded.
            let replay = try await ReplayChecker(register: { try $0.register(parent, Self.child) }).check(databaseURL: url)
            #expect(replay.checked == 2 && replay.mismatches.isEmpty, "\(replay)")
            let fetchesBefore = counter.count("fetch")
            try await withRuntime(url, parent, Self.child) { dbos in
                let forkID = try await dbos.fork("p-1", fromStep: 10)   // reruns only the summary
                #expect(try await dbos.retrieve(forkID, as: String.self).result() == "fetched 42 hello")
            }
            #expect(counter.count("fetch") == fetchesBefore, "the fork replayed the recorded fetch")
        }
        await original.close()

        let fromFile = try await ReplayChecker(register: { try $0.register(parent, Self.child) }).check(file)
        #expect(fromFile.checked == 2 && fromFile.mismatches.isEmpty, "\(fromFile)")
        let changed = Workflow("exportParent") { (topic: String) async throws -> String in
            try await DBOS.step("summarize") { "skipped the fetch" }
        }
        let diverged = try await ReplayChecker(register: { try $0.register(changed, Self.child) }).check(file)
        #expect(diverged.mismatches.map(\.workflowID) == ["p-1"])
        #expect(diverged.mismatches.first?.recorded == "fetch" && diverged.mismatches.first?.requested == "summarize")
    }

    @Test(arguments: Backend.available)
    func missingWorkflowsAndForeignFilesAreRefused(backend: Backend) async throws {
        let url = try await backend.freshDatabaseURL("export")
        let client = try await DBOSClient(databaseURL: url)
        _ = try await client.migrate()
        await #expect(throws: DBOSError.nonexistentWorkflow(workflowID: "nobody")) { try await client.exportWorkflow("nobody") }
        var foreign = WorkflowExport(workflows: [])
        foreign.format = "something-else"
        await #expect(throws: DBOSError.self) { try await client.importWorkflow(foreign) }
        #expect(try await client.listWorkflows().isEmpty)
        await client.close()
    }
}
