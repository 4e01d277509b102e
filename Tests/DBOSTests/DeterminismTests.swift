import DBOSTestSupport
import Foundation
import Testing
@testable import DBOS

@Suite struct DeterminismTests {
    /// A workflow whose first step name is chosen by `stepName`; it then sleeps so the test
    /// can stop the runtime mid-workflow and restart it with changed code.
    static func agent(stepName: String, counter: Counter, pause: Duration = .milliseconds(300)) -> Workflow<String> {
        Workflow("agent") { () async throws -> String in
            _ = try await DBOS.step(stepName) { counter.hit(stepName) }
            try await DBOS.sleep(for: pause)
            return try await DBOS.step("finish") { "done" }
        }
    }

    @Test(arguments: Backend.available)
    func changedStepNameOnReplayIsADeterminismError(backend: Backend) async throws {
        let url = try await backend.freshDatabaseURL()
        let counter = Counter()
        // A long pause, so the first runtime is surely stopped mid-workflow.
        let original = Self.agent(stepName: "searchWeb", counter: counter, pause: .seconds(60))
        let first = try await launchRuntime(url, original)
        _ = try await first.start(original, options: WorkflowOptions(workflowID: "agent-1"))
        try await eventually("the first step to be recorded") { try await first.listSteps("agent-1").count >= 2 }
        await first.shutdown()

        let changed = Self.agent(stepName: "searchDatabase", counter: counter, pause: .seconds(60))
        let second = try await launchRuntime(url, changed)
        do {
            _ = try await second.retrieve("agent-1", as: String.self).result()
            Issue.record("expected a determinism error")
        } catch let error as DBOSError where error.code == .workflowFailed {
            let failure = try #require(error.failure)
            #expect(failure.message.contains("operation 1 was recorded as 'searchWeb' but the code now calls 'searchDatabase'"))
            #expect(failure.code == .string("unexpectedStep"))
        }
        #expect(counter.count("searchDatabase") == 0)
        #expect(try await second.getWorkflowStatus("agent-1")?.state == .error)
        await second.shutdown()
    }

    @Test(arguments: Backend.available)
    func recoveryReplaysCompletedStepsWithoutRunningThem(backend: Backend) async throws {
        let url = try await backend.freshDatabaseURL()
        let counter = Counter()
        // The first runtime's workflow holds (not durably) after its first step until shutdown
        // cancels it; the second runtime's copy does not hold. No wall-clock race either way.
        func agent(holding: Bool) -> Workflow<String> {
            Workflow("agent") { () async throws -> String in
                _ = try await DBOS.step("searchWeb") { counter.hit("searchWeb") }
                if holding { try await Task.sleep(for: .seconds(3600)) }
                return try await DBOS.step("finish") { "done" }
            }
        }
        let held = agent(holding: true)
        let first = try await launchRuntime(url, held)
        _ = try await first.start(held, options: WorkflowOptions(workflowID: "agent-2"))
        try await eventually("the first step to be recorded") { try await first.listSteps("agent-2").count >= 1 }
        await first.shutdown(timeout: .zero)   // cancels the held workflow at once
        let client = try await DBOSClient(databaseURL: url)
        #expect(try await client.getWorkflowStatus("agent-2")?.state == .pending)
        #expect(try await client.listSteps("agent-2").map(\.functionName) == ["searchWeb"])
        await client.close()

        let second = try await launchRuntime(url, agent(holding: false))
        #expect(try await second.retrieve("agent-2", as: String.self).result() == "done")
        #expect(counter.count("searchWeb") == 1)
        await second.shutdown()
    }
}
