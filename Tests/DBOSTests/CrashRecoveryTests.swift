import DBOSTestSupport
import Foundation
import Testing
@testable import DBOS

/// Runs the `dbos-test-fixture` executable as a real child process, SIGKILLs it in the
/// middle of its workflow, restarts it, and counts how often each step body ran.
@Suite struct CrashRecoveryTests {
    @Test(arguments: Backend.available)
    func killedAfterAStepResumesFromTheNextOne(backend: Backend) async throws {
        let run = try await FixtureRun(backend: backend)
        let crashed = try run.launch(["--crash-after-step", "2"])
        let crashedStatus = try await crashed.waitForExit()
        #expect(crashedStatus == 128 + SIGKILL)
        #expect(run.counterLines() == ["step1", "step2"])

        let restarted = try run.launch([])
        #expect(try await restarted.waitForExit() == 0)
        #expect(restarted.output.contains("RESULT [10,20,30]"))
        #expect(run.counterLines() == ["step1", "step2", "step3"], "each completed step body ran exactly once")
        try await run.expectCompleted(stepNames: ["step1", "step2", "step3"], recoveryAttempts: 2)
    }

    @Test(arguments: Backend.available)
    func killedDuringAStepRerunsOnlyThatStep(backend: Backend) async throws {
        let run = try await FixtureRun(backend: backend)
        let hanging = try run.launch(["--hang-at-step", "3", "--steps", "4"])
        try await eventually("step 3 to start in the child") { run.counterLines().contains("step3-start") }
        hanging.kill(SIGKILL)
        let hangingStatus = try await hanging.waitForExit()
        #expect(hangingStatus == 128 + SIGKILL)

        let restarted = try run.launch(["--steps", "4"])
        #expect(try await restarted.waitForExit() == 0, "\(restarted.output)")
        #expect(run.counterLines() == ["step1", "step2", "step3-start", "step3", "step4"])
        try await run.expectCompleted(stepNames: ["step1", "step2", "step3", "step4"], recoveryAttempts: 2)
    }
}

/// One fixture scenario: its database, workflow ID, counter file and captured output.
struct FixtureRun {
    let databaseURL: String
    let workflowID = "fixture-\(UUID().uuidString.prefix(8))"
    let counterFile: String
    let outputDirectory: URL
    /// The fixture executable: `dbos-test-fixture`, or another product taking the same options.
    let program: String

    init(backend: Backend, program: String = "dbos-test-fixture") async throws {
        self.program = program
        databaseURL = try await backend.freshDatabaseURL("crash")
        outputDirectory = try ScratchDirectory.fresh("fixture")
        counterFile = outputDirectory.appendingPathComponent("counter.txt").path
    }

    func launch(_ extra: [String], environment: [String: String?] = [:]) throws -> ChildProcess {
        try ChildProcess.start(program, ["--database-url", databaseURL, "--workflow-id", workflowID, "--counter-file", counterFile] + extra,
                               environment: environment)
    }

    func counterLines() -> [String] {
        ((try? String(contentsOfFile: counterFile, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    func expectCompleted(stepNames: [String], recoveryAttempts: Int) async throws {
        let client = try await DBOSClient(databaseURL: databaseURL)
        let status = try #require(try await client.getWorkflowStatus(workflowID))
        #expect(status.state == .success)
        #expect(status.recoveryAttempts == recoveryAttempts)
        #expect(try await client.listSteps(workflowID).map(\.functionName) == stepNames)
        await client.close()
    }
}

/// Durable `recv` across a SIGKILL of the waiting process.
@Suite struct DurableRecvCrashTests {
    @Test(arguments: Backend.available)
    func messageSentWhileTheWaiterIsDownIsReceivedAfterRestart(backend: Backend) async throws {
        let run = try await FixtureRun(backend: backend)
        let waiting = try run.launch(["--recv-timeout", "60"])
        let client = try await DBOSClient(databaseURL: run.databaseURL)
        try await eventually("the recv deadline to be recorded") {
            (try? await client.listSteps(run.workflowID).contains { $0.functionName == "DBOS.sleep" }) ?? false
        }
        waiting.kill(SIGKILL)
        _ = try await waiting.waitForExit()
        try await client.send("approved", to: run.workflowID, topic: "approval")
        let restarted = try run.launch(["--recv-timeout", "60"])
        _ = try await restarted.waitForExit()
        #expect(restarted.output.contains(#"RESULT "approved""#), "\(restarted.output)")
        #expect(run.counterLines() == ["prepare"])
        await client.close()
    }

    /// A waiter killed during a long `recv` times out, after the restart, at the deadline stored
    /// before the kill, not a whole timeout later. The timeout is an hour; while the process is
    /// dead the stored deadline is moved a minute into the past (as if the hour had gone by),
    /// so the restarted process ends at once only if it follows the stored row. (That it does
    /// not end early is checked on the test clock: TestClockTests.)
    @Test(.timeLimit(.minutes(5)), arguments: Backend.available)
    func restartedWaiterTimesOutAtTheStoredDeadline(backend: Backend) async throws {
        let run = try await FixtureRun(backend: backend)
        let waiting = try run.launch(["--recv-timeout", "3600"])
        let client = try await DBOSClient(databaseURL: run.databaseURL)
        try await eventually("the recv deadline to be recorded") {
            (try? await client.listSteps(run.workflowID).contains { $0.functionName == "DBOS.sleep" }) ?? false
        }
        let sleepRow = try #require(try await client.listSteps(run.workflowID).first { $0.functionName == "DBOS.sleep" })
        let firstDeadline = try PortableJSON.decode(Double.self, from: sleepRow.output ?? "", what: "deadline")
        #expect(firstDeadline > Date().timeIntervalSince1970 + 3000, "the stored deadline is an hour away")
        waiting.kill(SIGKILL)
        _ = try await waiting.waitForExit()
        let deadline = Date().timeIntervalSince1970 - 60
        _ = try await client.rawSQL("UPDATE dbos.operation_outputs SET output = \(String(deadline)) WHERE workflow_uuid = \(run.workflowID) AND function_name = 'DBOS.sleep'")
        let restarted = try run.launch(["--recv-timeout", "3600"])
        _ = try await restarted.waitForExit()
        #expect(restarted.output.contains(#"RESULT "timeout""#), "\(restarted.output)")
        await client.close()
    }
}

/// Sends, events and stream writes of a workflow killed after them are not repeated when the
/// restarted process replays it.
@Suite struct MessagingReplayCrashTests {
    @Test(arguments: Backend.available)
    func replayAfterACrashDoesNotDuplicateSendsEventsOrStreamEntries(backend: Backend) async throws {
        let run = try await FixtureRun(backend: backend)
        let crashed = try run.launch(["--publish", "--crash-after-step", "1"])
        let crashedStatus = try await crashed.waitForExit()
        #expect(crashedStatus == 128 + SIGKILL)

        let restarted = try run.launch(["--publish"])
        _ = try await restarted.waitForExit()
        #expect(restarted.output.contains(#"RESULT "published""#), "\(restarted.output)")
        #expect(run.counterLines() == ["mark"])

        let client = try await DBOSClient(databaseURL: run.databaseURL)
        let id = run.workflowID
        let messages = try await client.rawSQL("SELECT topic FROM dbos.notifications WHERE destination_uuid = \(id)")
        #expect(messages.map { $0.string("topic") } == ["note"], "one message, not two")
        let history = try await client.rawSQL("SELECT key FROM dbos.workflow_events_history WHERE workflow_uuid = \(id)")
        #expect(history.map { $0.string("key") } == ["progress"], "one event write, not two")
        let stream = try await client.rawSQL(#"SELECT "offset" FROM dbos.streams WHERE workflow_uuid = \#(id) AND key = 'log' ORDER BY "offset""#)
        #expect(stream.map { $0.int("offset") } == [0, 1, 2], "a, b and the close marker, each once")
        #expect(try await client.event("progress", of: run.workflowID, as: String.self) == "sent")
        let status = try #require(try await client.getWorkflowStatus(run.workflowID))
        #expect(status.state == .success && status.recoveryAttempts == 2)
        await client.close()
    }
}
