import DBOSTestSupport
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Testing
@testable import DBOS

/// `DBOS` as a swift-service-lifecycle `Service` next to another service: graceful shutdown (what
/// SIGTERM triggers in a `ServiceGroup`) lets running steps finish and be recorded, lets a
/// workflow whose last step finishes complete, leaves the others PENDING with only completed
/// steps recorded, and cancels what outlives `shutdownTimeout` without recording it.
///
/// The drain and the timeout are separate tests so that neither depends on how fast a loaded
/// machine is: the drain's timeout is far away (it ends when its steps do), and the timeout test
/// holds nothing that must finish before it.
@Suite struct ServiceLifecycleTests {
    @Test(arguments: Backend.available)
    func gracefulShutdownFinishesRunningStepsAndLeavesTheRestPending(backend: Backend) async throws {
        let url = try await backend.freshDatabaseURL("service")
        let counter = Counter()
        let release = Gate()
        // Three steps; the second waits for the test. Shutdown begins while it runs.
        let threeSteps = Workflow("threeSteps") { () async throws -> String in
            let first = try await DBOS.step("one") { counter.hit("one"); return "1" }
            let second = try await DBOS.step("two") { counter.hit("two"); await release.wait(); return "2" }
            let third = try await DBOS.step("three") { counter.hit("three"); return "3" }
            return first + second + third
        }
        // One step, also held: when it finishes the workflow has nothing left but to complete.
        let oneStep = Workflow("oneStep") { () async throws -> String in
            try await DBOS.step("only") { counter.hit("only"); await release.wait(); return "done" }
        }
        // The timeout only guards against a hang: the drain ends when the held steps do.
        let config = DBOSConfig(name: "service", systemDatabaseURL: url, applicationVersion: "v1", shutdownTimeout: .seconds(300))
        let dbos = try DBOS(config: config)
        try dbos.register(threeSteps, oneStep)
        try await runUntilGracefulShutdown(dbos) {
            _ = try await dbos.start(threeSteps, options: WorkflowOptions(workflowID: "three"))
            _ = try await dbos.start(oneStep, options: WorkflowOptions(workflowID: "one"))
            try await eventually("every held step to be running") { counter.count("two") == 1 && counter.count("only") == 1 }
        } duringDrain: {
            release.open()   // the held steps finish during the drain
        }

        // Read what the stopped runtime left behind.
        let client = try await DBOSClient(databaseURL: url)
        let three = try #require(try await client.getWorkflowStatus("three"))
        #expect(three.state == .pending, "stopped at its next step: recovered later")
        #expect(try await client.listSteps("three").map(\.functionName) == ["one", "two"])
        #expect(try await client.listSteps("three").map(\.output) == ["\"1\"", "\"2\""], "the step running at shutdown was recorded")
        #expect(counter.count("three") == 0)

        let one = try #require(try await client.getWorkflowStatus("one"))
        #expect(one.state == .success, "its last step finished during the drain: the workflow completed")
        #expect(one.output == "\"done\"")
        await client.close()

        // The next start recovers what was left, without running recorded steps again.
        let restarted = try DBOS(config: config)
        try restarted.register(threeSteps, oneStep)
        let recovery = try await restarted.launch()
        #expect(recovery.recovered == ["three"])
        #expect(try await restarted.retrieve("three", as: String.self).result() == "123")
        #expect(counter.count("one") == 1 && counter.count("two") == 1 && counter.count("three") == 1 && counter.count("only") == 1)
        await restarted.shutdown()
    }

    @Test(arguments: Backend.available)
    func aStepThatOutlivesTheShutdownTimeoutIsCancelledAndRecordsNothing(backend: Backend) async throws {
        let url = try await backend.freshDatabaseURL("service-timeout")
        let counter = Counter()
        // A step that never ends by itself: cancelled when the drain times out, recorded nowhere.
        let stuck = Workflow("stuck") { () async throws -> String in
            _ = try await DBOS.step("before") { counter.hit("before"); return 1 }
            return try await DBOS.step("forever") {
                counter.hit("forever")
                try await Task.sleep(for: .seconds(3600))
                return "late"
            }
        }
        let config = DBOSConfig(name: "service", systemDatabaseURL: url, applicationVersion: "v1", shutdownTimeout: .seconds(1))
        let dbos = try DBOS(config: config)
        try dbos.register(stuck)
        try await runUntilGracefulShutdown(dbos) {
            _ = try await dbos.start(stuck, options: WorkflowOptions(workflowID: "stuck"))
            try await eventually("the step to be running") { counter.count("forever") == 1 }
        } duringDrain: {}

        let client = try await DBOSClient(databaseURL: url)
        let status = try #require(try await client.getWorkflowStatus("stuck"))
        #expect(status.state == .pending, "cancelled after the timeout, not failed")
        #expect(try await client.listSteps("stuck").map(\.functionName) == ["before"], "a cancelled step records nothing")
        await client.close()

        let restarted = try DBOS(config: config)
        try restarted.register(stuck)
        let recovery = try await restarted.launch()
        #expect(recovery.recovered == ["stuck"])
        try await eventually("the recovered step to be running again") { counter.count("forever") == 2 }
        #expect(counter.count("before") == 1, "the recorded step is not run again")
        try await restarted.retrieve("stuck", as: String.self).cancel()
        await restarted.shutdown()
    }

    /// Runs `dbos` in a `ServiceGroup` beside a service that waits for graceful shutdown: `started`
    /// runs once it launched, then the test triggers graceful shutdown and runs `duringDrain` once
    /// the runtime is stopping, and this returns when the group has stopped.
    private func runUntilGracefulShutdown(
        _ dbos: DBOS, started: () async throws -> Void, duringDrain: () async throws -> Void
    ) async throws {
        let group = ServiceGroup(services: [UntilShutdown(), dbos], gracefulShutdownSignals: [], logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            _ = try await dbos.waitUntilLaunched()
            try await started()
            await group.triggerGracefulShutdown()
            try await eventually("the runtime to begin stopping") { dbos.isShuttingDown }
            try await duringDrain()
            try await tasks.waitForAll()
        }
    }

    @Test func aRuntimeThatCannotStartFailsItsServiceGroup() async throws {
        let dbos = try DBOS(config: DBOSConfig(name: "unreachable", systemDatabaseURL: "postgresql://postgres@127.0.0.1:1/nowhere"))
        let group = ServiceGroup(services: [UntilShutdown(), dbos], gracefulShutdownSignals: [], logger: Logger(label: "test"))
        await #expect(throws: DBOSError.self) { try await group.run() }
        await #expect { try await dbos.waitUntilLaunched() } throws: { ($0 as? DBOSError)?.code == .databaseUnreachable }
    }
}

/// A second service that runs until graceful shutdown.
private struct UntilShutdown: Service {
    func run() async throws {
        try? await gracefulShutdown()
    }
}
