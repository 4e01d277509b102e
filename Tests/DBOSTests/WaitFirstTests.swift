import DBOSTestSupport
import Foundation
import Testing
@testable import DBOS

/// `waitFirst` (issue 15, DBOS 3.4's `wait_first`): the first of several workflows to finish,
/// from outside a workflow and as a recorded operation inside one.
@Suite(.timeLimit(.minutes(5))) struct WaitFirstTests {
    static let waiter = Workflow("waitFirst.waiter") { (name: String) async throws -> String in
        let word = try await DBOS.receive(String.self, topic: "go", timeout: .seconds(600)) ?? "timeout"
        return "\(name):\(word)"
    }
    static let quick = Workflow("waitFirst.quick") { (name: String) async throws -> String in "\(name):quick" }
    /// Starts two waiting children and returns the winner's ID and output.
    static let parent = Workflow("waitFirst.parent") { () async throws -> [String] in
        let runtime = try #require(DBOS.currentRuntime)
        let first = try await runtime.start(waiter, "one", options: WorkflowOptions(workflowID: "child-one"))
        let second = try await runtime.start(waiter, "two", options: WorkflowOptions(workflowID: "child-two"))
        let winner = try await DBOS.waitFirst([first, second])
        return [winner.workflowID, try await winner.result()]
    }

    @Test(arguments: Backend.available)
    func theFirstToFinishIsReturnedAndOthersKeepRunning(backend: Backend) async throws {
        try await withRuntime(try await backend.freshDatabaseURL("wait_first"), Self.waiter, Self.quick) { dbos in
            let slow = try await dbos.start(Self.waiter, "slow", options: WorkflowOptions(workflowID: "slow"))
            let fast = try await dbos.start(Self.quick, "fast", options: WorkflowOptions(workflowID: "fast"))
            let winner = try await dbos.waitFirst([slow, fast])
            #expect(winner.workflowID == "fast")
            #expect(try await winner.result() == "fast:quick")
            #expect(try await slow.status().state == .pending, "the others are not touched")

            // A cancelled workflow counts as finished.
            let other = try await dbos.start(Self.waiter, "other", options: WorkflowOptions(workflowID: "other"))
            async let waited = dbos.waitFirst(workflowIDs: ["slow", "other"])
            try await other.cancel()
            #expect(try await waited == "other")

            // Nothing to wait for, the same workflow twice, a workflow that does not exist.
            let none = await #expect(throws: DBOSError.self) { _ = try await dbos.waitFirst(workflowIDs: []) }
            #expect(none?.code == .invalidArgument)
            let duplicate = await #expect(throws: DBOSError.self) { _ = try await dbos.waitFirst([slow, slow]) }
            #expect(duplicate?.code == .invalidArgument)
            let missing = await #expect(throws: DBOSError.self) { _ = try await dbos.waitFirst(workflowIDs: ["slow", "nope"]) }
            #expect(missing?.code == .nonexistentWorkflow)

            try await dbos.send("go", to: "slow", topic: "go")
            #expect(try await slow.result() == "slow:go")
        }
    }

    @Test(arguments: Backend.available)
    func insideAWorkflowTheWinnerIsRecordedAndReplayed(backend: Backend) async throws {
        try await withRuntime(try await backend.freshDatabaseURL("wait_first_wf"), Self.waiter, Self.parent) { dbos in
            let parent = try await dbos.start(Self.parent, options: WorkflowOptions(workflowID: "parent"))
            try await eventually("both children waiting") {
                try await dbos.listWorkflows(ListWorkflowsFilter(name: "waitFirst.waiter", status: [.pending])).count == 2
            }
            try await dbos.send("go", to: "child-two", topic: "go")
            #expect(try await parent.result() == ["child-two", "two:go"])
            let steps = try await dbos.listSteps("parent")
            let recorded = try #require(steps.first { $0.functionName == "DBOS.waitFirst" })
            #expect(recorded.output == #""child-two""#, "the winner's ID, as DBOS records it")

            // Now both have finished. A fork past the wait replays the recorded winner; a fork
            // from the wait itself waits again and takes the first to have finished.
            try await dbos.send("go", to: "child-one", topic: "go")
            _ = try await dbos.retrieve("child-one", as: String.self).result()
            let replay = try await parent.fork(fromStep: recorded.functionID + 1)
            #expect(try await replay.result() == ["child-two", "two:go"])
            let again = try await parent.fork(fromStep: recorded.functionID)
            #expect(try await again.result() == ["child-two", "two:go"], "child-two finished first")
        }
    }
}
