import DBOSTestSupport
import Foundation
import Testing
@testable import DBOS

/// Operation records that arrive while a flush is in flight are written together, in one
/// statement and one commit, with the outcome reported per record (issue 13). PostgreSQL only:
/// SQLite's single writer batches every write (its savepoints are tested with the outage tests).
@Suite(.timeLimit(.minutes(5))) struct GroupCommitTests {
    static let hasPostgres = Backend.available.contains(.postgres)
    static let insert = #"INSERT INTO "dbos".operation_outputs"#

    /// While one record's write is in flight (its answer held by a proxy), five more queue; they
    /// are then written in one multi-row statement. In that batch one record conflicts with a
    /// record another execution wrote first, and one belongs to a workflow whose owner changed:
    /// the other three are committed, the conflict is reported to its workflow only (with the
    /// other execution's output), and so is the lost ownership.
    @Test(.enabled(if: hasPostgres, "needs PostgreSQL"))
    func aBatchCommitsItsGoodRecordsAndReportsEachConflictToItsOwnWorkflow() async throws {
        let database = try await Backend.postgres.freshDatabaseURL("group_commit")
        let proxy = try PostgresWireProxy(upstream: database)
        defer { proxy.stop() }
        let waiter = Workflow("waitsForGroupCommit") { () async throws -> String in
            try await DBOS.receive(String.self, topic: "never", timeout: .seconds(600)) ?? "none"
        }
        try await withRuntime(proxy.url(database: database), waiter) { (dbos: DBOS) async throws in
            let ids = (1...6).map { "gc-\($0)" }
            for id in ids { _ = try await dbos.start(waiter, options: WorkflowOptions(workflowID: id)) }
            try await eventually("every workflow to wait") {
                try await ids.asyncMap { try await dbos.listSteps($0).count }.allSatisfy { $0 == 1 }
            }
            let database = dbos.systemDatabase as! SQLSystemDatabase
            let batcher = try #require(database.recordBatcher)
            let owners = Dictionary(uniqueKeysWithValues: try await dbos.rawSQL("SELECT workflow_uuid, owner_xid FROM dbos.workflow_status")
                .map { ($0.string("workflow_uuid")!, $0.string("owner_xid")!) })
            // gc-3's step 100 was recorded first by another execution; gc-4 changed hands.
            _ = try await dbos.rawSQL("""
                INSERT INTO dbos.operation_outputs (workflow_uuid, function_id, function_name, output)
                VALUES ('gc-3', 100, 'probe', '"theirs"')
                """)
            _ = try await dbos.rawSQL("UPDATE dbos.workflow_status SET owner_xid = 'someone-else' WHERE workflow_uuid = 'gc-4'")

            @Sendable func record(_ id: String) -> StepRecord {
                StepRecord(workflowID: id, functionID: 100, functionName: "probe", output: "\"\(id)\"")
            }
            proxy.holdAnswer(toStatementContaining: Self.insert)
            let leader = Task { try await database.recordOperation(record("gc-1"), ownerXID: owners["gc-1"]!) }
            try await eventually("the leader's write to be in flight") { proxy.isHolding(Self.insert) }
            let others = ids.dropFirst().map { id in
                Task { try await database.recordOperation(record(id), ownerXID: owners[id]!) }
            }
            try await eventually("five records to queue behind it") { batcher.queuedCount == 5 }
            let multiRowBefore = proxy.statements(containing: "FROM (VALUES")
            proxy.release(Self.insert)

            #expect(try await leader.value.isRecorded)
            var outcomes: [String: OperationWrite<Void>] = [:]
            for (id, task) in zip(ids.dropFirst(), others) { outcomes[id] = try await task.value }
            #expect(proxy.statements(containing: "FROM (VALUES") == multiRowBefore + 1, "the five were written in one statement")
            for id in ["gc-2", "gc-5", "gc-6"] { #expect(outcomes[id]?.isRecorded == true, "\(id)") }
            if case .alreadyRecorded(let existing)? = outcomes["gc-3"] {
                #expect(existing.output == "\"theirs\"")
            } else {
                Issue.record("gc-3: \(String(describing: outcomes["gc-3"]))")
            }
            if case .notOwner(let status)? = outcomes["gc-4"] {
                #expect(status == .pending)
            } else {
                Issue.record("gc-4: \(String(describing: outcomes["gc-4"]))")
            }
            let stored = try await dbos.rawSQL("SELECT workflow_uuid, output FROM dbos.operation_outputs WHERE function_id = 100 ORDER BY workflow_uuid")
            #expect(stored.map { "\($0.string("workflow_uuid")!)=\($0.string("output")!)" }
                    == ["gc-1=\"gc-1\"", "gc-2=\"gc-2\"", "gc-3=\"theirs\"", "gc-5=\"gc-5\"", "gc-6=\"gc-6\""])
            for id in ids { try await dbos.cancel(id) }
        }
    }

    /// Fifty workflows started at once: their inserts, step records and completions share
    /// statements (fewer statements than workflows of each kind), and every workflow ends
    /// SUCCESS with its own output, each step recorded once.
    @Test(.enabled(if: hasPostgres, "needs PostgreSQL"))
    func concurrentWorkflowsShareInsertRecordAndCompletionStatements() async throws {
        let database = try await Backend.postgres.freshDatabaseURL("group_commit_all")
        let proxy = try PostgresWireProxy(upstream: database)
        defer { proxy.stop() }
        let counter = Counter()
        let work = Workflow("grouped") { (index: Int) async throws -> Int in
            var sum = index * 100
            for step in 1...3 { sum += try await DBOS.step("s\(step)") { counter.hit("\(index)-\(step)"); return step } }
            return sum
        }
        try await withRuntime(proxy.url(database: database), work) { (dbos: DBOS) async throws in
            let before = (insert: proxy.statements(containing: "WITH ins AS"), record: proxy.statements(containing: Self.insert),
                          complete: proxy.statements(containing: "WITH v (workflow_uuid, owner_xid, status"))
            let count = 50
            let outputs = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
                for index in 0..<count {
                    group.addTask { (index, try await dbos.run(work, index, options: WorkflowOptions(workflowID: "grouped-\(index)"))) }
                }
                return try await group.reduce(into: [Int: Int]()) { $0[$1.0] = $1.1 }
            }
            #expect(outputs == Dictionary(uniqueKeysWithValues: (0..<count).map { ($0, $0 * 100 + 6) }))
            let statuses = try await dbos.listWorkflows(ListWorkflowsFilter(name: "grouped"))
            #expect(statuses.count == count && statuses.allSatisfy { $0.state == .success })
            for index in [0, count / 2, count - 1] {
                #expect(try await dbos.listSteps("grouped-\(index)").map(\.functionName) == ["s1", "s2", "s3"])
            }
            #expect((0..<count).allSatisfy { index in (1...3).allSatisfy { counter.count("\(index)-\($0)") == 1 } })
            let inserts = proxy.statements(containing: "WITH ins AS") - before.insert
            let records = proxy.statements(containing: Self.insert) - before.record
            let completions = proxy.statements(containing: "WITH v (workflow_uuid, owner_xid, status") - before.complete
            #expect(inserts < count, "\(inserts) insert statements for \(count) workflows")
            #expect(records < count * 3, "\(records) record statements for \(count * 3) steps")
            #expect(completions < count, "\(completions) completion statements for \(count) workflows")
        }
    }
}

extension OperationWrite {
    var isRecorded: Bool {
        if case .recorded = self { return true }
        return false
    }
}
