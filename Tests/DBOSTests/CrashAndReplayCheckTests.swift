import DBOSTestSupport
import DBOSTesting
import Foundation
import Testing
@testable import DBOS

/// DBOSTesting's in-process crash and its replay checker (issue 16), on both backends.
@Suite(.timeLimit(.minutes(5))) struct CrashAndReplayCheckTests {
    static func order(_ counter: Counter) -> Workflow<String, String> {
        Workflow("order") { (item: String) async throws -> String in
            let reserved = try await DBOS.step("reserve") { counter.hit("reserve"); return "reserved \(item)" }
            let charged = try await DBOS.step("charge") { counter.hit("charge"); return "charged" }
            let shipped = try await DBOS.step("ship") { counter.hit("ship"); return "shipped" }
            return [reserved, charged, shipped].joined(separator: ", ")
        }
    }

    /// A crash armed at step 2 stops the workflow right after step 2 is recorded; the next
    /// runtime recovers it and runs only step 3.
    @Test(arguments: Backend.available)
    func aCrashAtStepTwoIsRecoveredFromStepThree(backend: Backend) async throws {
        let counter = Counter()
        let order = Self.order(counter)
        try await withTestRuntime(database: .url(try await backend.freshDatabaseURL("crash")), register: { try $0.register(order) }) { runtime in
            runtime.crash(afterStep: 2, of: "order-1")
            _ = try await runtime.dbos.start(order, "lamp", options: WorkflowOptions(workflowID: "order-1"))
            await runtime.waitForCrash()
            let client = try await DBOSClient(databaseURL: runtime.databaseURL)
            #expect(try await client.getWorkflowStatus("order-1")?.state == .pending, "a crash leaves the workflow PENDING")
            #expect(try await client.listSteps("order-1").map(\.functionName) == ["reserve", "charge"])
            await client.close()
            #expect(counter.count("ship") == 0)

            let report = try await runtime.restart()
            #expect(report.recovered == ["order-1"])
            #expect(try await runtime.dbos.retrieve("order-1", as: String.self).result() == "reserved lamp, charged, shipped")
            #expect(counter.count("reserve") == 1)
            #expect(counter.count("charge") == 1)
            #expect(counter.count("ship") == 1)
        }
    }

    /// The checker replays recorded histories without running a step: unchanged code passes;
    /// reordered, extended and shortened code is reported at the operation where it parts from
    /// the history; an unfinished workflow needs only to match what it recorded so far.
    @Test(arguments: Backend.available)
    func theReplayCheckerReportsWhereChangedCodePartsFromTheHistory(backend: Backend) async throws {
        let counter = Counter()
        let order = Self.order(counter)
        let url = try await backend.freshDatabaseURL("replay")
        try await withTestRuntime(database: .url(url), register: { try $0.register(order) }) { runtime in
            #expect(try await runtime.dbos.run(order, "lamp", options: WorkflowOptions(workflowID: "done-1")) == "reserved lamp, charged, shipped")
            runtime.crash(afterStep: 1, of: "half-1")
            _ = try await runtime.dbos.start(order, "desk", options: WorkflowOptions(workflowID: "half-1"))
            await runtime.waitForCrash()
        }
        let ranBefore = ["reserve", "charge", "ship"].map { counter.count($0) }

        func check(_ body: @escaping @Sendable (String) async throws -> String) async throws -> ReplayChecker.Report {
            let changed = Workflow("order", body)
            return try await ReplayChecker(register: { try $0.register(changed) }).check(databaseURL: url)
        }
        let unchanged = try await ReplayChecker(register: { try $0.register(order) }).check(databaseURL: url)
        #expect(unchanged.checked == 2)
        #expect(unchanged.mismatches.isEmpty, "\(unchanged)")

        let reordered = try await check { item in
            _ = try await DBOS.step("charge") { "charged" }
            _ = try await DBOS.step("reserve") { "reserved \(item)" }
            return try await DBOS.step("ship") { "shipped" }
        }
        #expect(Set(reordered.mismatches.map(\.workflowID)) == ["done-1", "half-1"])
        #expect(reordered.mismatches.allSatisfy { $0.functionID == 1 && $0.recorded == "reserve" && $0.requested == "charge" },
                "\(reordered)")

        let extended = try await check { item in
            _ = try await DBOS.step("reserve") { "reserved \(item)" }
            _ = try await DBOS.step("charge") { "charged" }
            _ = try await DBOS.step("ship") { "shipped" }
            return try await DBOS.step("notify") { "notified" }
        }
        #expect(extended.mismatches.map(\.workflowID) == ["done-1"], "the unfinished workflow may still call it: \(extended)")
        #expect(extended.mismatches.first?.functionID == 4)
        #expect(extended.mismatches.first?.recorded == nil)
        #expect(extended.mismatches.first?.requested == "notify")
        #expect(extended.mismatches.first?.detail == "the code now calls 'notify' as operation 4, which the finished workflow never recorded")

        let shortened = try await check { item in
            _ = try await DBOS.step("reserve") { "reserved \(item)" }
            return try await DBOS.step("charge") { "charged" }
        }
        #expect(shortened.mismatches.map(\.workflowID) == ["done-1"])
        #expect(shortened.mismatches.first?.functionID == 3)
        #expect(shortened.mismatches.first?.recorded == "ship")
        #expect(shortened.mismatches.first?.requested == nil)

        #expect(["reserve", "charge", "ship"].map { counter.count($0) } == ranBefore, "the checker ran no step body")
    }
}
