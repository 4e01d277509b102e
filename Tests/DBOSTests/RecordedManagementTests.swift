import DBOSTestSupport
import Foundation
import Synchronization
import Testing
@testable import DBOS

/// Management calls a workflow makes (fork, cancel, resume, delete, and the reads: status,
/// lists, steps) are operations of that workflow: recorded, and replayed rather than repeated
/// (issue 12, item 16).
@Suite(.timeLimit(.minutes(5))) struct RecordedManagementTests {
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
        try await withRuntime(try await backend.freshDatabaseURL("recorded-fork"), target, forker) { dbos in
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
    /// A workflow that reads another's status, the workflow list, the queue and another's steps
    /// records what it saw (named as in DBOS); a replay past those reads sees the same values
    /// although the database changed since, so it takes the same branch.
    @Test(arguments: Backend.available)
    func readsInsideAWorkflowAreRecordedAndReplayed(backend: Backend) async throws {
        let box = RuntimeBox()
        let gate = Mutex(false)
        let watched = Workflow("watched") { () async throws -> String in
            _ = try await DBOS.step("work") { "w" }
            return try await DBOS.receive(String.self, topic: "go", timeout: .seconds(60)) ?? "none"
        }
        let observer = Workflow("observer") { () async throws -> String in
            let dbos = box.dbos
            let status = try await dbos.getWorkflowStatus("watched-1")?.state.rawValue ?? "missing"
            let listed = try await dbos.listWorkflows(ListWorkflowsFilter(name: "watched")).map(\.state.rawValue)
            let queued = try await dbos.listQueuedWorkflows().count
            let steps = try await dbos.listSteps("watched-1").map(\.functionName)
            return try await DBOS.step("report") { () async throws -> String in
                guard gate.withLock({ $0 }) else { throw DBOSError.invalidArgument("not yet") }
                return "\(status) \(listed) \(queued) \(steps)"
            }
        }
        try await withRuntime(try await backend.freshDatabaseURL("recorded-reads"), watched, observer) { dbos in
            box.set(dbos)
            _ = try await dbos.start(watched, options: WorkflowOptions(workflowID: "watched-1"))
            try await eventually("watched-1 to wait") { try await dbos.listSteps("watched-1").count == 2 }
            await #expect(throws: DBOSError.self) { _ = try await dbos.run(observer, options: WorkflowOptions(workflowID: "observer-1")) }
            #expect(try await dbos.listSteps("observer-1").map(\.functionName)
                    == ["DBOS.getStatus", "DBOS.listWorkflows", "DBOS.listQueuedWorkflows", "DBOS.listWorkflowSteps", "report"])

            // The watched workflow finishes; a replay of the observer past its reads still sees it waiting.
            try await dbos.send("now", to: "watched-1", topic: "go")
            #expect(try await dbos.retrieve("watched-1", as: String.self).result() == "now")
            gate.withLock { $0 = true }
            let replay = try await dbos.fork("observer-1", fromStep: 5)
            let seen = try await dbos.retrieve(replay, as: String.self).result()
            #expect(seen == "PENDING [\"PENDING\"] 0 [\"work\", \"DBOS.sleep\"]", "\(seen)")
        }
    }
}
