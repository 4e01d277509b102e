import DBOSTestSupport
import DBOSTesting
import Foundation
import Testing
@testable import DBOS

/// Attempts counted by the step bodies below.
private let timeoutAttempts = Counter()

/// Hangs (until cancelled) on its first attempt for `label`, answers on the next.
@Step(name: "slowThenFast", retries: .exponential(maxAttempts: 3, initialInterval: .milliseconds(1)), timeout: .milliseconds(200))
func slowThenFast(_ label: String) async throws -> String {
    timeoutAttempts.hit(label)
    if timeoutAttempts.count(label) == 1 { try await Task.sleep(for: .seconds(3600)) }
    return "answered on attempt \(timeoutAttempts.count(label))"
}

/// Step timeouts (issue 15): each attempt is cancelled at its deadline and fails with
/// `stepTimedOut`; retries apply; the final outcome is recorded like any other. Deadlines are
/// on the test clock: each attempt times out when the test advances it, not in real time.
@Suite struct StepTimeoutTests {
    @Test(arguments: Backend.available)
    func aTimedOutAttemptIsCancelledAndRetried(backend: Backend) async throws {
        let label = "retried-\(backend)"
        let work = Workflow("timedOutThenAnswered") { (label: String) async throws -> String in try await slowThenFast(label) }
        try await withTestRuntime(database: .url(try await backend.freshDatabaseURL()), register: { try $0.register(work) }) { runtime in
            let dbos = runtime.dbos
            let handle = try await dbos.start(work, label, options: WorkflowOptions(workflowID: label))
            await runtime.clock.waitForSleepers()           // the first attempt hangs
            await runtime.advance(by: .milliseconds(200))
            let answer = try await handle.result()
            #expect(answer == "answered on attempt 2")
            #expect(timeoutAttempts.count(label) == 2)
            let steps = try await dbos.listSteps(label)
            #expect(steps.map(\.functionName) == ["slowThenFast"])
            #expect(steps.first?.output == #""answered on attempt 2""# && steps.first?.error == nil)
        }
    }

    @Test(arguments: Backend.available)
    func aStepThatAlwaysTimesOutRecordsTheTimeout(backend: Backend) async throws {
        let cancelled = Counter()
        let work = Workflow("alwaysSlow") { () async throws -> String in
            try await DBOS.step("hang", retries: .exponential(maxAttempts: 2, initialInterval: .milliseconds(1)),
                                timeout: .milliseconds(100)) { () async throws -> String in
                do { try await Task.sleep(for: .seconds(3600)) } catch { cancelled.hit("hang"); throw error }
                return "never"
            }
        }
        try await withTestRuntime(database: .url(try await backend.freshDatabaseURL()), register: { try $0.register(work) }) { runtime in
            let dbos = runtime.dbos
            let handle = try await dbos.start(work, options: WorkflowOptions(workflowID: "always-slow"))
            for _ in 1...2 {                                  // each attempt hangs until its deadline passes
                await runtime.clock.waitForSleepers()
                await runtime.advance(by: .milliseconds(100))
            }
            let error = await #expect(throws: DBOSError.self) { try await handle.result() }
            #expect(error?.code == .workflowFailed, "\(String(describing: error))")
            #expect(error?.failure?.message.contains("failed after 2 attempts") == true || error?.failure?.message.contains("2 attempts") == true,
                    "\(String(describing: error?.failure))")
            #expect(error?.failure?.message.contains("step 'hang' timed out after") == true, "\(String(describing: error?.failure))")
            #expect(cancelled.count("hang") == 2, "each attempt's body was cancelled")
            let step = try #require(try await dbos.listSteps("always-slow").first)
            #expect(step.output == nil && step.error?.contains("timed out") == true)
            #expect(try await dbos.getWorkflowStatus("always-slow")?.state == .error)
        }
    }

    /// Outside a workflow the body runs as is, without the timeout.
    @Test func outsideAWorkflowTheBodySimplyRuns() async throws {
        #expect(try await DBOS.step("plain", timeout: .milliseconds(1)) { "ran" } == "ran")
    }
}
