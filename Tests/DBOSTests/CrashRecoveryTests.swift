import Foundation
import Testing
@testable import DBOS

/// Runs the `dbos-test-fixture` executable as a real child process, SIGKILLs it in the
/// middle of its workflow, restarts it, and counts how often each step body ran.
@Suite struct CrashRecoveryTests {
    @Test(arguments: Backend.available)
    func killedAfterAStepResumesFromTheNextOne(backend: Backend) async throws {
        let run = try FixtureRun(backend: backend)
        let crashed = try run.launch(["--crash-after-step", "2"])
        crashed.waitUntilExit()
        #expect(crashed.terminationReason == .uncaughtSignal && crashed.terminationStatus == SIGKILL)
        #expect(run.counterLines() == ["step1", "step2"])

        let restarted = try run.launch([])
        restarted.waitUntilExit()
        #expect(restarted.terminationStatus == 0)
        #expect(run.output(of: restarted).contains("RESULT [10,20,30]"))
        #expect(run.counterLines() == ["step1", "step2", "step3"], "each completed step body ran exactly once")
        try await run.expectCompleted(stepNames: ["step1", "step2", "step3"], recoveryAttempts: 2)
    }

    @Test(arguments: Backend.available)
    func killedDuringAStepRerunsOnlyThatStep(backend: Backend) async throws {
        let run = try FixtureRun(backend: backend)
        let hanging = try run.launch(["--hang-at-step", "3", "--steps", "4"])
        try await eventually("step 3 to start in the child") { run.counterLines().contains("step3-start") }
        kill(hanging.processIdentifier, SIGKILL)
        hanging.waitUntilExit()
        #expect(hanging.terminationReason == .uncaughtSignal)

        let restarted = try run.launch(["--steps", "4"])
        restarted.waitUntilExit()
        #expect(restarted.terminationStatus == 0, "\(run.output(of: restarted))")
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
    let executable: URL

    init(backend: Backend, program: String = "dbos-test-fixture") throws {
        executable = CLI.executable(program)
        databaseURL = backend.freshDatabaseURL("crash")
        outputDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("dbos-fixture-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: outputDirectory, withIntermediateDirectories: true)
        counterFile = outputDirectory.appendingPathComponent("counter.txt").path
    }

    func launch(_ extra: [String], environment: [String: String] = [:]) throws -> Process {
        let process = Process()
        process.executableURL = executable
        process.arguments = ["--database-url", databaseURL, "--workflow-id", workflowID, "--counter-file", counterFile] + extra
        let log = outputDirectory.appendingPathComponent("run-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        process.environment = ProcessInfo.processInfo.environment.merging(environment.merging(["FIXTURE_LOG": log.path]) { $1 }) { $1 }
        try process.run()
        return process
    }

    func output(of process: Process) -> String {
        guard let path = process.environment?["FIXTURE_LOG"] else { return "" }
        return (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
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
        let run = try FixtureRun(backend: backend)
        let waiting = try run.launch(["--recv-timeout", "60"])
        let client = try await DBOSClient(databaseURL: run.databaseURL)
        try await eventually("the recv deadline to be recorded") {
            (try? await client.listSteps(run.workflowID).contains { $0.functionName == "DBOS.sleep" }) ?? false
        }
        kill(waiting.processIdentifier, SIGKILL)
        waiting.waitUntilExit()
        try await client.send(to: run.workflowID, "approved", topic: "approval")
        let restarted = try run.launch(["--recv-timeout", "60"])
        restarted.waitUntilExit()
        #expect(run.output(of: restarted).contains(#"RESULT "approved""#), "\(run.output(of: restarted))")
        #expect(run.counterLines() == ["prepare"])
        await client.close()
    }

    /// Killed 20 s into a 30 s timeout, the restarted workflow times out about 10 s after the
    /// restart (at the stored deadline), not 30 s.
    @Test(.timeLimit(.minutes(2)), arguments: Backend.available)
    func restartedWaiterTimesOutAtTheStoredDeadline(backend: Backend) async throws {
        let run = try FixtureRun(backend: backend)
        let waiting = try run.launch(["--recv-timeout", "30"])
        let client = try await DBOSClient(databaseURL: run.databaseURL)
        try await eventually("the recv deadline to be recorded") {
            (try? await client.listSteps(run.workflowID).contains { $0.functionName == "DBOS.sleep" }) ?? false
        }
        let sleepRow = try #require(try await client.listSteps(run.workflowID).first { $0.functionName == "DBOS.sleep" })
        let deadline = try PortableJSON.decode(Double.self, from: sleepRow.output ?? "", what: "deadline")
        try await Task.sleep(until: .now + .seconds(max(0, deadline - 10 - Date().timeIntervalSince1970)))
        kill(waiting.processIdentifier, SIGKILL)
        waiting.waitUntilExit()
        let restartedAt = Date()
        let restarted = try run.launch(["--recv-timeout", "30"])
        restarted.waitUntilExit()
        let finishedAt = Date()
        #expect(run.output(of: restarted).contains(#"RESULT "timeout""#), "\(run.output(of: restarted))")
        #expect(finishedAt.timeIntervalSince1970 >= deadline - 0.05)
        #expect(finishedAt.timeIntervalSince(restartedAt) < 15.0, "waited the whole timeout again")
        await client.close()
    }
}

/// Sends, events and stream writes of a workflow killed after them are not repeated when the
/// restarted process replays it.
@Suite struct MessagingReplayCrashTests {
    @Test(arguments: Backend.available)
    func replayAfterACrashDoesNotDuplicateSendsEventsOrStreamEntries(backend: Backend) async throws {
        let run = try FixtureRun(backend: backend)
        let crashed = try run.launch(["--publish", "--crash-after-step", "1"])
        crashed.waitUntilExit()
        #expect(crashed.terminationReason == .uncaughtSignal && crashed.terminationStatus == SIGKILL)

        let restarted = try run.launch(["--publish"])
        restarted.waitUntilExit()
        #expect(run.output(of: restarted).contains(#"RESULT "published""#), "\(run.output(of: restarted))")
        #expect(run.counterLines() == ["mark"])

        let client = try await DBOSClient(databaseURL: run.databaseURL)
        let id = SQLValue.text(run.workflowID)
        let messages = try await client.rawSQL("SELECT topic FROM dbos.notifications WHERE destination_uuid = $1", [id])
        #expect(messages.map { $0.string("topic") } == ["note"], "one message, not two")
        let history = try await client.rawSQL("SELECT key FROM dbos.workflow_events_history WHERE workflow_uuid = $1", [id])
        #expect(history.map { $0.string("key") } == ["progress"], "one event write, not two")
        let stream = try await client.rawSQL(#"SELECT "offset" FROM dbos.streams WHERE workflow_uuid = $1 AND key = 'log' ORDER BY "offset""#, [id])
        #expect(stream.map { $0.int("offset") } == [0, 1, 2], "a, b and the close marker, each once")
        #expect(try await client.getEvent(run.workflowID, "progress", as: String.self) == "sent")
        let status = try #require(try await client.getWorkflowStatus(run.workflowID))
        #expect(status.state == .success && status.recoveryAttempts == 2)
        await client.close()
    }
}
