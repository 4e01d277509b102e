import DBOSTestSupport
import Foundation
import Synchronization
import Testing
@testable import DBOS

/// Management calls a workflow makes (fork, cancel, resume, delete) are operations of that
/// workflow: recorded, and replayed rather than repeated (issue 12, item 16).
@Suite(.timeLimit(.minutes(2))) struct RecordedManagementTests {
    /// The runtime, for workflow code defined before it exists.
    final class RuntimeBox: Sendable {
        private let value = Mutex<DBOS?>(nil)
        var dbos: DBOS { value.withLock { $0! } }
        func set(_ dbos: DBOS) { value.withLock { $0 = dbos } }
    }

    /// A workflow forks another; a replay of that workflow (a fork of it past the fork call)
    /// returns the recorded fork's ID instead of forking again: one fork, not two.
    @Test(arguments: Backend.available)
    func aForkInsideAWorkflowIsRecordedAndReplayed(backend: Backend) async throws {
        let counter = Counter()
        let box = RuntimeBox()
        let target = Workflow("forkTarget") { () async throws -> String in
            counter.hit("target")
            return "t"
        }
        let forker = Workflow("forker") { () async throws -> String in
            let forkID = try await box.dbos.fork("target-1", fromStep: 1)
            return try await DBOS.step("after") { forkID }
        }
        try await withRuntime(backend.freshDatabaseURL("recorded-fork"), target, forker) { dbos in
            box.set(dbos)
            #expect(try await dbos.run(target, options: WorkflowOptions(workflowID: "target-1")) == "t")
            let forkID = try await dbos.run(forker, options: WorkflowOptions(workflowID: "forker-1"))
            #expect(try await dbos.retrieve(forkID, as: String.self).result() == "t")
            #expect(try await dbos.listSteps("forker-1").map(\.functionName) == ["DBOS.forkWorkflow", "after"])

            let replay = try await dbos.fork("forker-1", fromStep: 2)
            #expect(try await dbos.retrieve(replay, as: String.self).result() == forkID, "the replay returns the recorded fork")
            #expect(try await dbos.listWorkflows(ListWorkflowsFilter(name: "forkTarget")).count == 2, "the original and one fork")
            #expect(counter.count("target") == 2)
        }
    }
}
