import DBOSTestSupport
import Foundation
import Testing
@testable import DBOS

/// Faults and edge cases the engine must survive without losing, stranding or trapping
/// (issue 12's numbered items; the outages themselves are in `DatabaseOutageTests`).
@Suite(.timeLimit(.minutes(5))) struct FaultToleranceTests {
    /// Item 12: a child cancelled from outside while its parent awaits it inside a step is the
    /// parent's failure, recorded as ERROR, not a stop that leaves the parent PENDING.
    @Test(arguments: Backend.available)
    func aCancelledChildAwaitedInAStepFailsTheParent(backend: Backend) async throws {
        let child = Workflow("waitingChild") { () async throws -> String in
            _ = try await DBOS.receive(String.self, topic: "never", timeout: .seconds(600))
            return "child done"
        }
        let parent = Workflow("awaitingParent") { () async throws -> String in
            let handle = try await DBOS.startWorkflow(child, options: WorkflowOptions(workflowID: "p12-child"))
            return try await DBOS.step("await the child") { try await handle.result() }
        }
        try await withRuntime(try await backend.freshDatabaseURL(), child, parent) { dbos in
            let handle = try await dbos.start(parent, options: WorkflowOptions(workflowID: "p12"))
            try await eventually("the child to wait") { try await dbos.listSteps("p12-child").count >= 1 }
            try await dbos.cancel("p12-child")
            await #expect(throws: DBOSError.self) { _ = try await handle.result() }
            let status = try #require(try await dbos.getWorkflowStatus("p12"))
            #expect(status.state == .error, "the parent failed rather than staying PENDING")
            #expect(status.error?.contains("p12-child") == true, "its error names the cancelled child: \(String(describing: status.error))")
            #expect(try await dbos.getWorkflowStatus("p12-child")?.state == .cancelled)
        }
    }

    /// Item 10: durations too long to store (`.seconds(Int64.max)`) are kept as a century
    /// ("forever"): a receive with such a timeout still gets its message, an enqueued workflow
    /// with such a timeout runs, and a step's backoff past attempt 68 does not overflow.
    @Test(arguments: Backend.available)
    func hugeDurationsAreKeptNotTrapped(backend: Backend) async throws {
        let forever = Duration.seconds(Int64.max)
        let patient = Workflow("patient") { () async throws -> String in
            try await DBOS.receive(String.self, topic: "answer", timeout: forever) ?? "timed out"
        }
        let queue = Queue("huge-timeouts")
        try await withRuntime(try await backend.freshDatabaseURL(), patient, queues: [queue]) { dbos in
            let direct = try await dbos.start(patient, options: WorkflowOptions(workflowID: "h1", timeout: forever))
            let queued = try await dbos.enqueue(patient, on: queue, options: EnqueueOptions(workflowID: "h2", timeout: forever))
            try await eventually("both to wait") {
                let first = try await dbos.listSteps("h1").count, second = try await dbos.listSteps("h2").count
                return first >= 1 && second >= 1
            }
            for id in ["h1", "h2"] {
                let status = try #require(try await dbos.getWorkflowStatus(id))
                #expect(status.state == .pending)
                let deadline = try #require(status.deadline)
                #expect(deadline > Date().addingTimeInterval(99 * 365 * 86_400) && deadline < Date().addingTimeInterval(101 * 365 * 86_400),
                        "a timeout past storage is a century: \(deadline)")
            }
            try await dbos.send("yes", to: "h1", topic: "answer")
            try await dbos.send("yes too", to: "h2", topic: "answer")
            #expect(try await direct.result() == "yes")
            #expect(try await queued.result() == "yes too")
        }
        let backoff = RetryPolicy(maxAttempts: 1_000, initialInterval: .seconds(1), backoffRate: 2, maxInterval: forever)
        #expect(backoff.delay(after: 200) == .seconds(100 * 365 * 86_400), "a century")
        #expect(RetryPolicy.exponential(maxAttempts: 1_000).delay(after: 500) == .seconds(3600))
    }

    /// Item 5: `recoverPendingWorkflows()` called while a queued workflow runs in this process
    /// leaves it with its execution: it is not put back on the queue, claimed again or counted
    /// as a recovery attempt, and its step runs once.
    @Test(arguments: Backend.available)
    func recoveryLeavesWorkflowsRunningHereAlone(backend: Backend) async throws {
        let counter = Counter()
        let waiter = Workflow("queuedWaiter") { () async throws -> String in
            _ = try await DBOS.step("before") { counter.hit("before") }
            let answer = try await DBOS.receive(String.self, topic: "go", timeout: .seconds(120)) ?? "none"
            _ = try await DBOS.step("after") { counter.hit("after") }
            return answer
        }
        let queue = Queue("recovery-while-running", pollingInterval: .milliseconds(50))
        try await withRuntime(try await backend.freshDatabaseURL(), waiter, queues: [queue]) { dbos in
            let handle = try await dbos.enqueue(waiter, on: queue, options: EnqueueOptions(workflowID: "r5"))
            try await eventually("the workflow to wait") { try await dbos.listSteps("r5").count >= 2 }
            let report = try await dbos.recoverPendingWorkflows()
            #expect(report.recovered.isEmpty)
            let status = try #require(try await dbos.getWorkflowStatus("r5"))
            #expect(status.state == .pending, "still PENDING with its execution, not ENQUEUED again")
            try await dbos.send("go", to: "r5", topic: "go")
            #expect(try await handle.result() == "go")
            #expect(try await dbos.getWorkflowStatus("r5")?.recoveryAttempts == 1, "claimed once")
            #expect(counter.count("before") == 1 && counter.count("after") == 1)
        }
    }

    /// Items 6 and 7: a workflow cancelled from another process (here a `DBOSClient`, which
    /// shares nothing with the runtime) while it does other work between steps neither runs
    /// its next step body nor creates a child: both check that it still owns the workflow.
    @Test(arguments: Backend.available)
    func aCancelFromAnotherProcessStopsTheNextStepAndChildStarts(backend: Backend) async throws {
        let url = try await backend.freshDatabaseURL()
        let counter = Counter()
        let gates = (step: Latch<Bool>(), child: Latch<Bool>())
        let child = Workflow("escapee") { () async throws -> String in
            counter.hit("child")
            return "escaped"
        }
        let charger = Workflow("charger") { () async throws -> String in
            _ = try await DBOS.step("reserve") { counter.hit("reserve") }
            _ = await gates.step.value
            try await Task.sleep(for: .milliseconds(200))   // work between steps, outside any step
            _ = try await DBOS.step("charge the card") { counter.hit("charge") }
            return "charged"
        }
        let spawner = Workflow("spawner") { () async throws -> String in
            _ = try await DBOS.step("prepare") { counter.hit("prepare") }
            _ = await gates.child.value
            let handle = try await DBOS.startWorkflow(child, options: WorkflowOptions(workflowID: "escapee-1"))
            return try await handle.result()
        }
        try await withRuntime(url, child, charger, spawner) { dbos in
            let client = try await DBOSClient(databaseURL: url)
            let charging = try await dbos.start(charger, options: WorkflowOptions(workflowID: "charger-1"))
            let spawning = try await dbos.start(spawner, options: WorkflowOptions(workflowID: "spawner-1"))
            try await eventually("both to pass their first step") {
                let charged = try await dbos.listSteps("charger-1").count, spawned = try await dbos.listSteps("spawner-1").count
                return charged == 1 && spawned == 1
            }
            try await client.cancel("charger-1")
            try await client.cancel("spawner-1")
            gates.step.open(true)
            gates.child.open(true)
            await #expect(throws: DBOSError.self) { _ = try await charging.result() }
            await #expect(throws: DBOSError.self) { _ = try await spawning.result() }
            try await eventually("both executions to stop") { !dbos.running.isRunning("charger-1") && !dbos.running.isRunning("spawner-1") }
            #expect(counter.count("charge") == 0, "the card was not charged")
            #expect(try await dbos.getWorkflowStatus("escapee-1") == nil, "no child escaped the cancel")
            #expect(counter.count("child") == 0)
            #expect(try await dbos.listSteps("charger-1").map(\.functionName) == ["reserve"])
            #expect(try await dbos.listSteps("spawner-1").map(\.functionName) == ["prepare"])
            #expect(try await dbos.getWorkflowStatus("charger-1")?.state == .cancelled)
            #expect(try await dbos.getWorkflowStatus("spawner-1")?.state == .cancelled)
            await client.close()
        }
    }

    /// Items 14, 15 and 16: a child start with an ID that belongs to another workflow, and an
    /// enqueue whose deduplication ID is taken, are recorded with their errors: a fork that
    /// replays them meets the same errors (even once the ID is free), never a handle to an
    /// unrelated workflow or a new child. With `.returnExisting` the active workflow is returned.
    @Test(arguments: Backend.available)
    func childStartFailuresAreRecordedAndReplayed(backend: Backend) async throws {
        let queue = Queue("dedup-children", pollingInterval: .milliseconds(50))
        let blocker = Workflow("blocker") { () async throws -> String in
            try await DBOS.receive(String.self, topic: "release", timeout: .seconds(120)) ?? "timed out"
        }
        let other = Workflow("other") { () async throws -> String in "other" }
        let parent = Workflow("dedupParent") { () async throws -> [String] in
            var outcomes: [String] = []
            do {
                let handle = try await DBOS.startWorkflow(other, options: WorkflowOptions(workflowID: "taken"))
                outcomes.append("started \(handle.workflowID)")
            } catch let error as DBOSError {
                outcomes.append("refused \(error.code)")
            }
            do {
                let handle = try await queue.enqueue(blocker, options: EnqueueOptions(deduplicationID: "only-one"))
                outcomes.append("enqueued \(handle.workflowID)")
            } catch let error as DBOSError {
                outcomes.append("refused \(error.code)")
            }
            let existing = try await queue.enqueue(blocker, options: EnqueueOptions(deduplicationID: "only-one", onDuplicate: .returnExisting))
            outcomes.append("existing \(existing.workflowID)")
            return outcomes
        }
        try await withRuntime(try await backend.freshDatabaseURL(), blocker, other, parent, queues: [queue]) { dbos in
            // "taken" is a workflow of another name; "only-one" is held by an active blocker.
            let takenHandle = try await dbos.start(blocker, options: WorkflowOptions(workflowID: "taken"))
            let holder = try await dbos.enqueue(blocker, on: queue, options: EnqueueOptions(workflowID: "holder", deduplicationID: "only-one"))
            let first = try await dbos.start(parent, options: WorkflowOptions(workflowID: "dp")).result()
            #expect(first == ["refused conflictingWorkflow", "refused queueDeduplicated", "existing holder"])
            #expect(try await dbos.listSteps("dp").map(\.childWorkflowID) == [nil, nil, "holder"])

            // Free the deduplication ID, then replay all three operations through a fork.
            try await dbos.send("go", to: "holder", topic: "release")
            try await dbos.send("go", to: "taken", topic: "release")
            _ = try await holder.result()
            _ = try await takenHandle.result()
            let forkID = try await dbos.fork("dp", fromStep: 4)
            #expect(try await dbos.retrieve(forkID, as: [String].self).result() == first, "the fork replays the recorded outcomes")
            #expect(try await dbos.listWorkflows(ListWorkflowsFilter(name: "blocker")).count == 2, "no new child was enqueued")
        }
    }

    /// Item 9: a workflow cancelled and resumed in the same process while its execution sleeps
    /// durably for a day: the stale execution is stopped rather than waited for, so the resumed
    /// one owns and runs the workflow within seconds (before, it waited the whole day).
    @Test(arguments: Backend.available)
    func aResumeHereStopsTheStaleExecutionInsteadOfWaitingForIt(backend: Backend) async throws {
        let counter = Counter()
        let sleeper = Workflow("daySleeper") { () async throws -> String in
            _ = try await DBOS.step("before") { counter.hit("before") }
            try await DBOS.sleep(for: .seconds(86_400))
            return "woke"
        }
        try await withRuntime(try await backend.freshDatabaseURL(), sleeper) { dbos in
            _ = try await dbos.start(sleeper, options: WorkflowOptions(workflowID: "s9"))
            try await eventually("the sleep to begin") { try await dbos.listSteps("s9").count == 2 }
            try await dbos.cancel("s9")
            try await dbos.resume("s9")
            try await eventually(timeout: .seconds(60), "the resumed execution to run here") {
                let owner = try await dbos.rawSQL("SELECT owner_xid FROM dbos.workflow_status WHERE workflow_uuid = 's9'").first?.string("owner_xid")
                return owner != nil && dbos.running.owned.contains { $0.workflowID == "s9" && $0.ownerXID == owner }
            }
            #expect(try await dbos.getWorkflowStatus("s9")?.state == .pending)
            #expect(counter.count("before") == 1, "the completed step replayed")
            try await dbos.cancel("s9")
        }
    }

    /// Item 5: a recovery claim made from a stale listing does not steal a workflow that moved
    /// on since (here another executor took it over with a token of its own).
    @Test(arguments: Backend.available)
    func aStaleRecoveryListingDoesNotStealAWorkflowThatMovedOn(backend: Backend) async throws {
        let waiter = Workflow("listedWaiter") { () async throws -> String in
            try await DBOS.receive(String.self, topic: "go", timeout: .seconds(120)) ?? "none"
        }
        try await withRuntime(try await backend.freshDatabaseURL(), waiter) { dbos in
            _ = try await dbos.start(waiter, options: WorkflowOptions(workflowID: "l5"))
            try await eventually("the workflow to wait") { try await dbos.listSteps("l5").count >= 1 }
            let listing = try await dbos.systemDatabase.pendingWorkflows(executorID: dbos.executorID, applicationVersion: "test-version")
            let listed = try #require(listing.first { $0.id == "l5" })
            _ = try await dbos.rawSQL("UPDATE dbos.workflow_status SET executor_id = 'other', owner_xid = 'other-token' WHERE workflow_uuid = 'l5'")
            #expect(try await dbos.recover(listed) == false, "the stale listing claims nothing")
            let row = try #require(try await dbos.rawSQL("SELECT executor_id, owner_xid, recovery_attempts FROM dbos.workflow_status WHERE workflow_uuid = 'l5'").first)
            #expect(row.string("executor_id") == "other" && row.string("owner_xid") == "other-token")
            #expect(row.int("recovery_attempts") == 1)
            try await dbos.cancel("l5")
        }
    }
}
