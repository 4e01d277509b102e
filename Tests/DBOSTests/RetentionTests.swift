import DBOSTestSupport
import Foundation
import Testing
@testable import DBOS

/// Retention (issue 15): `garbageCollect` deletes finished workflows older than the cut with
/// every row recorded for them, and never an active one; the runtime's policy does the same.
@Suite struct RetentionTests {
    /// A finished workflow with a row in every table: input and output, steps, a child, a
    /// message received, an event (and its history) and a stream.
    static let recorded = Workflow("recorded") { (label: String) async throws -> String in
        _ = try await DBOS.step("first") { label }
        try await DBOS.setEvent("state", to: "done")
        for token in ["a", "b"] { try await DBOS.write(token, toStream: "tokens") }
        let child = try await DBOS.startWorkflow(leaf, label, options: WorkflowOptions(workflowID: "\(label)-child"))
        _ = try await child.result()
        return try await DBOS.receive(String.self, topic: "go", timeout: .seconds(60)) ?? "none"
    }

    static let leaf = Workflow("leaf") { (label: String) async throws -> String in
        try await DBOS.step("leafStep") { label.uppercased() }
    }

    static let waiting = Workflow("waiting") { () async throws -> String in
        try await DBOS.receive(String.self, topic: "never", timeout: .seconds(3600)) ?? "timed out"
    }

    /// Rows of `table` (its workflow column `column`) that belong to `ids`.
    static func rows(_ database: SQLSystemDatabase, _ table: SQLFragment, _ column: SQLFragment = "workflow_uuid",
                     of ids: [String]) async throws -> Int {
        try await database.driver.read(
            "SELECT count(*) AS n FROM \(table) WHERE \(column) IN (\(database.dialect.values(ids)))"
        ).first?.decode("n") ?? 0
    }

    /// Runs `recorded` under `label` to its end, sending it its message.
    static func runRecorded(_ dbos: DBOS, _ label: String) async throws {
        let handle = try await dbos.start(recorded, label, options: WorkflowOptions(workflowID: label))
        try await dbos.send("go-\(label)", to: label, topic: "go")
        #expect(try await handle.result() == "go-\(label)")
    }

    @Test(arguments: Backend.available)
    func onlyFinishedWorkflowsOlderThanTheCutGoWithAllTheirRows(backend: Backend) async throws {
        let url = try await backend.freshDatabaseURL()
        try await withRuntime(url, Self.recorded, Self.leaf, Self.waiting) { dbos in
            let old = ["old-1", "old-2"]
            let fresh = ["new-1"]
            // Active workflows older than the cut: one waiting, one queued for nobody.
            let active = try await dbos.start(Self.waiting, options: WorkflowOptions(workflowID: "active-waiting"))
            let client = try await DBOSClient(databaseURL: url)
            let queued = try await client.enqueue(workflowName: "nobodyServesThis", queue: "unserved", "x")
            for label in old { try await Self.runRecorded(dbos, label) }
            // Completion times are in milliseconds: the cut must fall strictly between the two groups.
            try await Task.sleep(for: .milliseconds(20))
            let cut = Date()
            try await Task.sleep(for: .milliseconds(20))
            for label in fresh { try await Self.runRecorded(dbos, label) }

            let database = try #require(client.systemDatabase as? SQLSystemDatabase)
            let oldIDs = old + old.map { "\($0)-child" }
            let tables = database.tables
            let stepsBefore = try await Self.rows(database, tables.operations, of: oldIDs)
            #expect(stepsBefore >= 2 * 6 + 2 * 1, "each parent records at least six operations, each child one: \(stepsBefore)")

            let report = try await client.garbageCollect(completedBefore: cut)
            #expect(report == GarbageCollectionReport(workflows: 4, steps: stepsBefore, messages: 2, events: 2, streamValues: 4))

            for table in [tables.status, tables.inputs, tables.outputs, tables.operations, tables.events,
                          tables.eventHistory, tables.streams] {
                #expect(try await Self.rows(database, table, of: oldIDs) == 0, "\(table) keeps rows of deleted workflows")
            }
            #expect(try await Self.rows(database, tables.notifications, "destination_uuid", of: oldIDs) == 0)
            // What is newer than the cut, or still active, is all there.
            for id in fresh + fresh.map({ "\($0)-child" }) {
                #expect(try await client.getWorkflowStatus(id)?.state == .success)
                #expect(try await !client.listSteps(id).isEmpty)
            }
            #expect(try await Self.rows(database, tables.streams, of: fresh) == 2)
            #expect(try await client.getWorkflowStatus(active.workflowID)?.state == .pending)
            #expect(try await client.getWorkflowStatus(queued)?.state == .enqueued)
            #expect(try await client.garbageCollect(completedBefore: cut) == GarbageCollectionReport(), "nothing left to delete")

            // keepLatest keeps the newest finished workflows whatever the cut.
            try await Task.sleep(for: .milliseconds(20))   // a later completion time, not a wait for an event
            _ = try await dbos.run(Self.leaf, "latest", options: WorkflowOptions(workflowID: "latest"))
            let kept = try await client.garbageCollect(completedBefore: Date(), keepLatest: 1)
            #expect(kept.workflows == 2, "new-1 and its child go, the latest stays")
            #expect(try await client.getWorkflowStatus("latest")?.state == .success)
            #expect(try await client.getWorkflowStatus("new-1") == nil)
            #expect(try await client.getWorkflowStatus(active.workflowID)?.state == .pending)
            try await active.cancel()
            await client.close()
        }
    }

    @Test(arguments: Backend.available)
    func badArgumentsAreRejected(backend: Backend) async throws {
        let client = try await DBOSClient(databaseURL: try await backend.freshDatabaseURL())
        await #expect(throws: DBOSError.self) { try await client.garbageCollect() }
        await #expect(throws: DBOSError.self) { try await client.garbageCollect(keepLatest: -1) }
        #expect(throws: DBOSError.self) {
            _ = try DBOS(config: DBOSConfig(name: "t", systemDatabaseURL: backend.emptyDatabaseURL(), retention: RetentionPolicy()))
        }
        await client.close()
    }

    /// The runtime's policy collects at launch: finished workflows past `keepLatest` go.
    @Test(arguments: Backend.available)
    func theRetentionPolicyCollectsAtLaunch(backend: Backend) async throws {
        let url = try await backend.freshDatabaseURL()
        try await withRuntime(url, Self.leaf) { dbos in
            for index in 1...3 {
                _ = try await dbos.run(Self.leaf, "w\(index)", options: WorkflowOptions(workflowID: "w\(index)"))
                try await Task.sleep(for: .milliseconds(5))   // distinct completion times, not a wait for an event
            }
        }
        let dbos = try DBOS(config: DBOSConfig(name: "retained", systemDatabaseURL: url, applicationVersion: "test-version",
                                               retention: RetentionPolicy(keepLatest: 1)))
        try dbos.register(Self.leaf)
        try await dbos.launch()
        try await eventually("the policy to delete all but the latest workflow") {
            try await dbos.listWorkflows().map(\.workflowID) == ["w3"]
        }
        await dbos.shutdown()
    }
}
