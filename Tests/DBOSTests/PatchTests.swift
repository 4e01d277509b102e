import DBOSTestSupport
import Foundation
import Testing
@testable import DBOS

/// `DBOS.patch` and `DBOS.deprecatePatch`, recorded as DBOS Transact 3.4 records them
/// (`DBOS.patch-<name>` operations): an execution that ran before a change replays the old
/// path, a new one takes the new path, and deprecating the patch keeps both kinds working.
@Suite struct PatchTests {
    /// v1: one, two, (hold), three. v2 patches slot 2: twoNew instead of two.
    /// v3 deprecates the patch.
    static func order(version: Int, holding: Bool = false) -> Workflow<String> {
        Workflow("patchedOrder") { () async throws -> String in
            _ = try await DBOS.step("one") { 1 }
            let new: Bool
            switch version {
            case 1: new = false
            case 2: new = try await DBOS.patch("two-new")
            default: new = try await DBOS.deprecatePatch("two-new")
            }
            _ = try await DBOS.step(new ? "twoNew" : "two") { 2 }
            if holding { try await Task.sleep(for: .seconds(3600)) }
            _ = try await DBOS.step("three") { 3 }
            return new ? "new" : "old"
        }
    }

    @Test(arguments: Backend.available)
    func inFlightExecutionsReplayTheOldPathAndNewOnesTakeTheNew(backend: Backend) async throws {
        let url = try await backend.freshDatabaseURL("patch")
        // v1 leaves an execution PENDING after "two".
        let held = Self.order(version: 1, holding: true)
        let first = try await launchRuntime(url, held)
        _ = try await first.start(held, options: WorkflowOptions(workflowID: "old-1"))
        try await eventually("old-1 to record two") { try await first.listSteps("old-1").count == 2 }
        await first.shutdown(timeout: .zero)

        // v2 recovers it on the old path, and runs a new one on the new path.
        let patched = Self.order(version: 2)
        try await withRuntime(url, patched) { dbos in
            #expect(try await dbos.retrieve("old-1", as: String.self).result() == "old")
            #expect(try await dbos.listSteps("old-1").map(\.functionName) == ["one", "two", "three"])
            #expect(try await dbos.run(patched, options: WorkflowOptions(workflowID: "new-1")) == "new")
            let steps = try await dbos.listSteps("new-1")
            #expect(steps.map(\.functionName) == ["one", "DBOS.patch-two-new", "twoNew", "three"])
            #expect(steps[1].output == nil && steps[1].functionID == 2)
            await #expect(throws: DBOSError.self) { _ = try await DBOS.patch("outside") }
        }

        // v3 deprecates the patch: a fork of new-1 steps over the marker; a new execution
        // records none.
        let deprecated = Self.order(version: 3)
        try await withRuntime(url, deprecated) { dbos in
            let fork = try await dbos.fork("new-1", fromStep: 3)
            #expect(try await dbos.retrieve(fork, as: String.self).result() == "new")
            #expect(try await dbos.listSteps(fork).map(\.functionName) == ["one", "DBOS.patch-two-new", "twoNew", "three"])
            #expect(try await dbos.run(deprecated, options: WorkflowOptions(workflowID: "v3-1")) == "new")
            #expect(try await dbos.listSteps("v3-1").map(\.functionName) == ["one", "twoNew", "three"])
        }
    }

    /// With real processes: a workflow that a worker running the code from before the patch
    /// started is SIGKILLed mid-run; a worker running the patched code recovers it on the old
    /// branch, and runs a new one on the new branch (`dbos-interop-worker`'s `interopOrderV1`,
    /// patched with `--orders patched`).
    @Test(arguments: Backend.available)
    func aKilledWorkersWorkflowIsRecoveredOnTheOldBranchByThePatchedCode(backend: Backend) async throws {
        let url = try await backend.freshDatabaseURL("patch_kill")
        let environment: [String: String?] = ["DBOS__APPVERSION": "patch-kill"]
        let options = { (id: String) in EnqueueOptions(workflowID: id, applicationVersion: "patch-kill") }
        let client = try await DBOSClient(databaseURL: url)
        let waitsForItsMessage = { (id: String) async throws -> Bool in
            try await client.listSteps(id).contains { $0.functionName == "DBOS.sleep" }
        }

        let before = try ChildProcess.start("dbos-interop-worker", ["serve", "--database-url", url, "--exit-after-seconds", "300"],
                                            environment: environment)
        try await eventually("the unpatched worker to launch") { before.output.contains("READY") }
        _ = try await client.enqueue(workflowName: "interopOrderV1", queue: "interop_queue", options: options("killed"))
        try await eventually("the order to wait for its message") { try await waitsForItsMessage("killed") }
        before.kill()
        _ = try await before.waitForExit()
        #expect(try await client.getWorkflowStatus("killed")?.state == .pending)

        let after = try ChildProcess.start("dbos-interop-worker", ["serve", "--database-url", url, "--orders", "patched",
                                                                   "--exit-after-seconds", "300"], environment: environment)
        try await eventually("the patched worker to launch") { after.output.contains("READY") }
        try await client.send("go", to: "killed", topic: "go")
        #expect(try await client.result(of: "killed", as: String.self, timeout: .seconds(120)) == "old:go")
        #expect(try await client.listSteps("killed").map(\.functionName) == ["one", "two", "DBOS.recv", "DBOS.sleep"])

        _ = try await client.enqueue(workflowName: "interopOrderV1", queue: "interop_queue", options: options("fresh"))
        try await eventually("the new order to wait for its message") { try await waitsForItsMessage("fresh") }
        try await client.send("go", to: "fresh", topic: "go")
        #expect(try await client.result(of: "fresh", as: String.self, timeout: .seconds(120)) == "new:go")
        #expect(try await client.listSteps("fresh").map(\.functionName) == ["one", "DBOS.patch-two-new", "twoNew", "DBOS.recv", "DBOS.sleep"])
        try await after.stop()
        await client.close()
    }
}
