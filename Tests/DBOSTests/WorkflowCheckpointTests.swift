import DBOSTestSupport
import Foundation
import Testing
@testable import DBOS

@Suite struct WorkflowCheckpointTests {
    @Test(arguments: Backend.available)
    func stepOutputsAreCheckpointedInOrder(backend: Backend) async throws {
        let counter = Counter()
        let pipeline = Workflow("pipeline") { (text: String, times: Int) async throws -> String in
            let upper = try await DBOS.step("upper") { counter.hit("upper"); return text.uppercased() }
            let repeated = try await DBOS.step("repeat") { counter.hit("repeat"); return String(repeating: upper, count: times) }
            return repeated + "!"
        }
        try await withRuntime(try await backend.freshDatabaseURL(), pipeline) { dbos in
            let handle = try await dbos.start(pipeline, "ab", 2, options: WorkflowOptions(workflowID: "wf-1"))
            #expect(try await handle.result() == "ABAB!")
            let status = try await handle.status()
            #expect(status.state == .success)
            #expect(status.name == "pipeline")
            #expect(status.input == #"{"positionalArgs":["ab",2],"namedArgs":{}}"#)
            #expect(status.output == #""ABAB!""#)
            #expect(status.serialization == "portable_json")
            #expect(status.executorID == "local")
            #expect(status.applicationVersion == "test-version")
            #expect(status.completedAt != nil)
            let steps = try await dbos.listSteps("wf-1")
            #expect(steps.map(\.functionID) == [1, 2])
            #expect(steps.map(\.functionName) == ["upper", "repeat"])
            #expect(steps.map(\.output) == [#""AB""#, #""ABAB""#])
            #expect(counter.count("upper") == 1 && counter.count("repeat") == 1)
        }
    }

    @Test(arguments: Backend.available)
    func sameWorkflowIDReturnsStoredResultWithoutRunning(backend: Backend) async throws {
        let counter = Counter()
        let once = Workflow("once") { (value: Int) async throws -> Int in
            try await DBOS.step("work") { counter.hit("work"); return value * 2 }
        }
        try await withRuntime(try await backend.freshDatabaseURL(), once) { dbos in
            let options = WorkflowOptions(workflowID: "idempotent")
            #expect(try await dbos.run(once, 21, options: options) == 42)
            // A second run with the same ID (even with another input) returns the stored result.
            #expect(try await dbos.run(once, 99, options: options) == 42)
            #expect(counter.count("work") == 1)
            let rows = try await dbos.rawSQL("SELECT count(*) AS n FROM dbos.workflow_status")
            #expect(rows.first?.int("n") == 1)
        }
    }

    @Test(arguments: Backend.available)
    func concurrentStartsOfOneIDJoinTheSameExecution(backend: Backend) async throws {
        let counter = Counter()
        let slow = Workflow("slow") { () async throws -> String in
            try await DBOS.step("work") {
                counter.hit("work")
                try await Task.sleep(for: .milliseconds(50))
                return "done"
            }
        }
        try await withRuntime(try await backend.freshDatabaseURL(), slow) { dbos in
            let options = WorkflowOptions(workflowID: "joined")
            async let first = dbos.run(slow, options: options)
            async let second = dbos.run(slow, options: options)
            let results = try await [first, second]
            #expect(results == ["done", "done"])
            #expect(counter.count("work") == 1)
        }
    }

    @Test(arguments: Backend.available)
    func sameIDWithAnotherNameIsAConflict(backend: Backend) async throws {
        let first = Workflow("first") { () async throws -> Int in 1 }
        let second = Workflow("second") { () async throws -> Int in 2 }
        try await withRuntime(try await backend.freshDatabaseURL(), first, second) { dbos in
            #expect(try await dbos.run(first, options: WorkflowOptions(workflowID: "shared")) == 1)
            await #expect(throws: DBOSError.conflictingWorkflow(workflowID: "shared", existingName: "first", requestedName: "second")) {
                _ = try await dbos.run(second, options: WorkflowOptions(workflowID: "shared"))
            }
            let status = try await dbos.getWorkflowStatus("shared")
            #expect(status?.name == "first")
            #expect(status?.output == "1")
        }
    }

    @Test(arguments: Backend.available)
    func unregisteredWorkflowCannotStart(backend: Backend) async throws {
        let registered = Workflow("registered") { () async throws -> Int in 1 }
        let stranger = Workflow("stranger") { () async throws -> Int in 2 }
        try await withRuntime(try await backend.freshDatabaseURL(), registered) { dbos in
            await #expect(throws: DBOSError.workflowNotRegistered(name: "stranger")) {
                _ = try await dbos.run(stranger)
            }
        }
    }
}
