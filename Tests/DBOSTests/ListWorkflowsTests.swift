import DBOSTestSupport
import Foundation
import Testing
@testable import DBOS

/// Every `ListWorkflowsFilter` condition, pagination and ordering, through `DBOS` and through
/// `DBOSClient` (same answers), plus `listQueuedWorkflows`.
@Suite struct ListWorkflowsTests {
    struct Oops: Error, Codable {}

    /// More IDs than a statement may bind (SQLite 32,766, PostgreSQL 65,535): they travel as one
    /// JSON array, so the list, a cancel with its children and a delete each take one statement.
    @Test(arguments: Backend.available)
    func idListsLongerThanABindLimit(backend: Backend) async throws {
        let done = Workflow("listed") { (n: Int) async throws -> Int in n }
        try await withRuntime(try await backend.freshDatabaseURL("ids"), done) { dbos in
            for index in 1...3 { _ = try await dbos.run(done, index, options: WorkflowOptions(workflowID: "kept-\(index)")) }
            let unknown = (0..<70_000).map { "unknown-\($0)" }
            let listed = try await dbos.listWorkflows(ListWorkflowsFilter(workflowIDs: unknown + ["kept-2", "kept-3"]))
            #expect(listed.map(\.workflowID) == ["kept-2", "kept-3"])
        }
    }

    @Test(arguments: Backend.available)
    func everyFilterPaginationAndOrder(backend: Backend) async throws {
        let url = try await backend.freshDatabaseURL("list")
        let alpha = Workflow("alpha") { (n: Int) async throws -> Int in try await DBOS.step("double") { n * 2 } }
        let beta = Workflow("beta") { () async throws -> Int in throw Oops() }
        let parent = Workflow("parent") { () async throws -> Int in try await DBOS.runWorkflow(alpha, 7) }
        let dbos = try DBOS(config: DBOSConfig(name: "list", systemDatabaseURL: url, executorID: "exec-a", applicationVersion: "v1"))
        try dbos.register(alpha, beta, parent)
        dbos.registerError(Oops.self)
        try await dbos.launch()
        for index in 1...3 {
            _ = try await dbos.run(alpha, index, options: WorkflowOptions(workflowID: "batch-\(index)"))
            try await Task.sleep(for: .milliseconds(3))   // distinct creation times
        }
        await #expect(throws: Oops.self) { _ = try await dbos.run(beta, options: WorkflowOptions(workflowID: "other-1")) }
        _ = try await dbos.run(parent, options: WorkflowOptions(workflowID: "parent-1"))
        let forkID = try await dbos.fork("batch-1", fromStep: 1, newID: "fork-of-batch-1")
        _ = try await dbos.retrieve(forkID, as: Int.self).result()
        let client = try await DBOSClient(databaseURL: url)
        let queued = try await client.enqueue(workflowName: "alpha", queue: "unserved", 5,
                                              options: EnqueueOptions(workflowID: "queued-1", applicationVersion: "v2"))
        let all = try await dbos.listWorkflows()
        #expect(all.map(\.workflowID) == ["batch-1", "batch-2", "batch-3", "other-1", "parent-1", "parent-1-1", "fork-of-batch-1", "queued-1"])
        let created = Dictionary(uniqueKeysWithValues: all.map { ($0.workflowID, $0.createdAt) })
        let completed = Dictionary(uniqueKeysWithValues: all.compactMap { row in row.completedAt.map { (row.workflowID, $0) } })

        let cases: [(ListWorkflowsFilter, [String])] = [
            (.init(workflowIDs: ["batch-2", "other-1", "missing"]), ["batch-2", "other-1"]),
            (.init(workflowIDs: []), []),
            (.init(workflowIDPrefix: "batch-"), ["batch-1", "batch-2", "batch-3"]),
            (.init(name: "beta"), ["other-1"]),
            (.init(status: [.error]), ["other-1"]),
            (.init(status: [.enqueued, .error]), ["other-1", "queued-1"]),
            (.init(queueName: "unserved"), ["queued-1"]),
            (.init(applicationVersion: "v2"), ["queued-1"]),
            (.init(status: [.success], executorID: "exec-a", limit: 2), ["batch-1", "batch-2"]),
            (.init(parentWorkflowID: "parent-1"), ["parent-1-1"]),
            (.init(forkedFrom: "batch-1"), ["fork-of-batch-1"]),
            (.init(createdAfter: created["batch-2"], createdBefore: created["batch-3"]), ["batch-2", "batch-3"]),
            (.init(workflowIDPrefix: "batch", completedAfter: completed["batch-3"]), ["batch-3"]),
            (.init(workflowIDPrefix: "batch", completedBefore: completed["batch-2"]), ["batch-1", "batch-2"]),
            (.init(name: "alpha", limit: 2, offset: 1), ["batch-2", "batch-3"]),
            (.init(name: "alpha", offset: 4), ["fork-of-batch-1", "queued-1"]),
            (.init(workflowIDPrefix: "batch-", limit: 2, sortDescending: true), ["batch-3", "batch-2"]),
            (.init(name: "nobody"), []),
        ]
        for (filter, expected) in cases {
            let fromRuntime = try await dbos.listWorkflows(filter).map(\.workflowID)
            let fromClient = try await client.listWorkflows(filter).map(\.workflowID)
            #expect(fromRuntime == expected, "DBOS \(filter)")
            #expect(fromClient == expected, "DBOSClient \(filter)")
        }

        // Payloads on request only; status fields as recorded.
        let full = try #require(try await client.listWorkflows(.init(workflowIDs: ["batch-2"])).first)
        #expect(full.input != nil && full.output == "4" && full.executorID == "exec-a" && full.applicationVersion == "v1")
        let bare = try #require(try await client.listWorkflows(.init(workflowIDs: ["batch-2"], loadPayloads: false)).first)
        #expect(bare.input == nil && bare.output == nil && bare.state == .success)
        let failed = try #require(try await dbos.getWorkflowStatus("other-1"))
        #expect(failed.state == .error && failed.error != nil)
        let parentSteps = try await client.listSteps("parent-1")
        #expect(parentSteps.map(\.childWorkflowID) == ["parent-1-1", "parent-1-1"], "start and result of the child: \(parentSteps)")

        #expect(try await dbos.listQueuedWorkflows(queue: "unserved").map(\.workflowID) == [queued])
        #expect(try await client.listQueuedWorkflows().map(\.workflowID) == [queued])
        #expect(try await client.listQueuedWorkflows(queue: "elsewhere").isEmpty)
        await client.close()
        await dbos.shutdown()
    }

    /// `listSteps(loadOutputs:limit:offset:)`, as DBOS 3.4's `list_workflow_steps`: pages of
    /// the timeline, and without outputs or errors when asked.
    /// DBOS 3.4's `was_forked_from`, `is_fork` and `has_parent` filters.
    @Test(arguments: Backend.available)
    func forkAndParentFilters(backend: Backend) async throws {
        let leaf = Workflow("leaf") { (n: Int) async throws -> Int in n }
        let tree = Workflow("tree") { () async throws -> Int in
            let runtime = try #require(DBOS.currentRuntime)
            return try await runtime.run(leaf, 1, options: WorkflowOptions(workflowID: "tree-child"))
        }
        try await withRuntime(try await backend.freshDatabaseURL("fork_filters"), leaf, tree) { dbos in
            _ = try await dbos.run(tree, options: WorkflowOptions(workflowID: "tree-root"))
            _ = try await dbos.run(leaf, 2, options: WorkflowOptions(workflowID: "alone"))
            let fork = try await dbos.retrieve("alone", as: Int.self).fork(fromStep: 1, newID: "alone-fork")
            _ = try await fork.result()
            func ids(_ filter: ListWorkflowsFilter) async throws -> [String] {
                try await dbos.listWorkflows(filter).map(\.workflowID).sorted()
            }
            #expect(try await ids(ListWorkflowsFilter(wasForkedFrom: true)) == ["alone"])
            #expect(try await ids(ListWorkflowsFilter(wasForkedFrom: false)) == ["alone-fork", "tree-child", "tree-root"])
            #expect(try await ids(ListWorkflowsFilter(isFork: true)) == ["alone-fork"])
            #expect(try await ids(ListWorkflowsFilter(isFork: false)) == ["alone", "tree-child", "tree-root"])
            #expect(try await ids(ListWorkflowsFilter(hasParent: true)) == ["tree-child"])
            #expect(try await ids(ListWorkflowsFilter(isFork: false, hasParent: false)) == ["alone", "tree-root"])
        }
    }

    @Test(arguments: Backend.available)
    func stepPagesWithAndWithoutOutputs(backend: Backend) async throws {
        struct Refused: Error {}
        let work = Workflow("fiveSteps") { () async throws -> Int in
            for index in 1...4 { _ = try await DBOS.step("step\(index)") { String(repeating: "x", count: 100 * index) } }
            _ = try? await DBOS.step("failing") { () async throws -> Int in throw Refused() }
            return 5
        }
        try await withRuntime(try await backend.freshDatabaseURL(), work) { dbos in
            #expect(try await dbos.run(work, options: WorkflowOptions(workflowID: "five")) == 5)
            let all = try await dbos.listSteps("five")
            let light = try await dbos.listSteps("five", loadOutputs: false)
            #expect(light.map(\.functionName) == all.map(\.functionName))
            #expect(light.allSatisfy { $0.output == nil && $0.error == nil }, "no payloads")
            #expect(all.last?.error != nil && all.first?.output != nil, "the full listing has them")
            #expect(light.map(\.completedAt) == all.map(\.completedAt))
            let page = try await dbos.listSteps("five", loadOutputs: true, limit: 2, offset: 1)
            #expect(page == Array(all[1...2]))
            #expect(try await dbos.listSteps("five", loadOutputs: true, offset: 4) == [all[4]])
            await #expect(throws: DBOSError.self) { _ = try await dbos.listSteps("five", loadOutputs: true, limit: -1) }
        }
    }
}
