import DBOSTestSupport
import Foundation
import Testing
@testable import DBOS

@Suite struct ManagementTests {
    /// Three steps; before the third it waits for a "go" message (up to `pause`).
    static func stepper(_ counter: Counter, pause: Duration) -> Workflow<String> {
        Workflow("stepper") { () async throws -> String in
            _ = try await DBOS.step("one") { counter.hit("one") }
            _ = try await DBOS.step("two") { counter.hit("two") }
            _ = try await DBOS.receive(String.self, topic: "go", timeout: pause)
            _ = try await DBOS.step("three") { counter.hit("three") }
            return "done"
        }
    }

    @Test(arguments: Backend.available)
    func cancelStopsBeforeTheNextStepAndResumeContinues(backend: Backend) async throws {
        let counter = Counter()
        let stepper = Self.stepper(counter, pause: .seconds(30))
        try await withRuntime(try await backend.freshDatabaseURL(), stepper) { dbos in
            let handle = try await dbos.start(stepper, options: WorkflowOptions(workflowID: "c1"))
            try await eventually("two steps and the wait") { try await dbos.listSteps("c1").count >= 3 }
            try await dbos.cancel("c1")
            await #expect(throws: DBOSError.workflowCancelled(workflowID: "c1")) { _ = try await handle.result() }
            #expect(try await dbos.getWorkflowStatus("c1")?.state == .cancelled)
            // The message arrives, but the cancelled workflow stops instead of running step three.
            try await dbos.send("go", to: "c1", topic: "go")
            try await eventually("the execution to stop") { !dbos.running.isRunning("c1") }
            #expect(counter.count("three") == 0)

            try await dbos.resume("c1")
            #expect(try await dbos.retrieve("c1", as: String.self).result() == "done")
            #expect(counter.count("one") == 1 && counter.count("two") == 1 && counter.count("three") == 1)
            let status = try #require(try await dbos.getWorkflowStatus("c1"))
            #expect(status.state == .success)
            #expect(status.queueName == "_dbos_internal_queue")
            // As in DBOS 3.4, resuming a finished workflow leaves it as it is; a missing one throws.
            try await dbos.resume("c1")
            #expect(try await dbos.getWorkflowStatus("c1")?.state == .success)
            #expect(try await dbos.getWorkflowStatus("c1")?.recoveryAttempts == status.recoveryAttempts)
            await #expect(throws: DBOSError.nonexistentWorkflow(workflowID: "nobody")) { try await dbos.resume("nobody") }
        }
    }

    /// A child inherits its parent's deadline; when the deadline passes, both are cancelled.
    /// The deadline is an hour away and is moved into the past once the child exists (as time
    /// passing would), so a loaded machine cannot let it pass before the child is started.
    /// Bulk cancel, resume (onto a named queue) and delete (issue 15): one call for several
    /// workflows; a missing ID fails the call before anything changes.
    @Test(arguments: Backend.available)
    func bulkCancelResumeOntoANamedQueueAndDelete(backend: Backend) async throws {
        let waiter = Workflow("bulkWaiter") { () async throws -> String in
            try await DBOS.receive(String.self, topic: "go", timeout: .seconds(120)) ?? "timed out"
        }
        let resumed = Queue("resumedHere")
        try await withRuntime(try await backend.freshDatabaseURL(), waiter, queues: [resumed]) { dbos in
            let ids = ["bulk-1", "bulk-2", "bulk-3"]
            for id in ids { _ = try await dbos.start(waiter, options: WorkflowOptions(workflowID: id)) }
            try await eventually("every workflow to wait") {
                try await ids.asyncMap { try await dbos.listSteps($0).count }.allSatisfy { $0 >= 1 }
            }
            await #expect(throws: DBOSError.nonexistentWorkflow(workflowID: "missing")) {
                try await dbos.cancel(["bulk-1", "missing"])
            }
            #expect(try await dbos.getWorkflowStatus("bulk-1")?.state == .pending, "nothing cancelled")

            try await dbos.cancel(["bulk-1", "bulk-2"])
            for id in ["bulk-1", "bulk-2"] { #expect(try await dbos.getWorkflowStatus(id)?.state == .cancelled) }
            #expect(try await dbos.getWorkflowStatus("bulk-3")?.state == .pending)
            try await eventually("the cancelled executions to stop") {
                !dbos.running.isRunning("bulk-1") && !dbos.running.isRunning("bulk-2")
            }

            try await dbos.resume(["bulk-1", "bulk-2"], queueName: resumed.name)
            for id in ["bulk-1", "bulk-2"] {
                try await dbos.send("go-\(id)", to: id, topic: "go")
                #expect(try await dbos.retrieve(id, as: String.self).result() == "go-\(id)")
                #expect(try await dbos.getWorkflowStatus(id)?.queueName == resumed.name)
            }

            try await dbos.delete(["bulk-1", "bulk-2"])
            for id in ["bulk-1", "bulk-2"] { #expect(try await dbos.getWorkflowStatus(id) == nil) }
            await #expect(throws: DBOSError.nonexistentWorkflow(workflowID: "bulk-1")) { try await dbos.delete(["bulk-3", "bulk-1"]) }
            #expect(try await dbos.getWorkflowStatus("bulk-3") != nil, "nothing deleted")
            try await dbos.cancel("bulk-3")
        }
    }

    @Test(arguments: Backend.available)
    func timeoutsCancelAndChildrenInherit(backend: Backend) async throws {
        let child = Workflow("sleepyChild") { () async throws -> String in
            try await DBOS.sleep(for: .seconds(3600))
            return "child done"
        }
        let parent = Workflow("impatient") { () async throws -> String in
            // The second child opts out of the deadline (DBOS's SetWorkflowTimeout(None)).
            _ = try await DBOS.startWorkflow(child, options: WorkflowOptions(workflowID: "t1-detached", inheritsDeadline: false))
            let handle = try await DBOS.startWorkflow(child)
            return try await handle.result()
        }
        try await withRuntime(try await backend.freshDatabaseURL(), child, parent) { dbos in
            let handle = try await dbos.start(parent, options: WorkflowOptions(workflowID: "t1", timeout: .seconds(3600)))
            try await eventually("the children to sleep") {
                let attached = try await dbos.listSteps("t1-2").count, detached = try await dbos.listSteps("t1-detached").count
                return attached == 1 && detached == 1
            }
            let childStatus = try #require(try await dbos.getWorkflowStatus("t1-2"))
            let parentStatus = try #require(try await dbos.getWorkflowStatus("t1"))
            #expect(childStatus.deadline != nil && childStatus.deadline == parentStatus.deadline)
            #expect(parentStatus.timeout == .seconds(3600))
            let detached = try #require(try await dbos.getWorkflowStatus("t1-detached"))
            #expect(detached.deadline == nil && detached.timeout == nil)

            let past = Date().epochMilliseconds - 1000
            _ = try await dbos.rawSQL("UPDATE dbos.workflow_status SET workflow_deadline_epoch_ms = \(past) WHERE workflow_uuid IN ('t1', 't1-2')")
            await #expect(throws: DBOSError.workflowCancelled(workflowID: "t1")) { _ = try await handle.result() }
            try await eventually("the child to be cancelled") { try await dbos.getWorkflowStatus("t1-2")?.state == .cancelled }
            #expect(try await dbos.getWorkflowStatus("t1-detached")?.state == .pending, "the detached child sleeps on")
        }
    }

    @Test(arguments: Backend.available)
    func forkReusesEarlierStepsAndRunsTheFixedCode(backend: Backend) async throws {
        struct MalformedOutput: Error {}
        let counter = Counter()
        let fixed = Mutex(false)
        let agent = Workflow("researchAgent") { (topic: String) async throws -> String in
            let plan = try await DBOS.step("plan") { counter.hit("plan"); return "plan(\(topic))" }
            let search = try await DBOS.step("search") { counter.hit("search"); return "results(\(plan))" }
            let notes = try await DBOS.step("notes") { counter.hit("notes"); return "notes(\(search))" }
            return try await DBOS.step("summarize") { () async throws -> String in
                counter.hit("summarize")
                guard fixed.withLock({ $0 }) else { throw MalformedOutput() }
                return "summary(\(notes))"
            }
        }
        try await withRuntime(try await backend.freshDatabaseURL(), agent) { dbos in
            await #expect(throws: DBOSError.self) {
                _ = try await dbos.run(agent, "swift", options: WorkflowOptions(workflowID: "run-1"))
            }
            let failed = try await dbos.listSteps("run-1")
            #expect(failed.map(\.functionName) == ["plan", "search", "notes", "summarize"])
            #expect(failed[3].error != nil)

            fixed.withLock { $0 = true }   // "fix the prompt"
            let forkID = try await dbos.fork("run-1", fromStep: 4, newID: "run-1-fork")
            #expect(try await dbos.retrieve(forkID, as: String.self).result() == "summary(notes(results(plan(swift))))")
            #expect(counter.count("plan") == 1 && counter.count("search") == 1 && counter.count("notes") == 1)
            #expect(counter.count("summarize") == 2)
            let forked = try #require(try await dbos.getWorkflowStatus(forkID))
            #expect(forked.forkedFrom == "run-1")
            #expect(try await dbos.getWorkflowStatus("run-1")?.wasForkedFrom == true)
            #expect(try await dbos.listSteps(forkID).map(\.output) == failed.prefix(3).map(\.output) + [#""summary(notes(results(plan(swift))))""#])
            await #expect(throws: DBOSError.invalidArgument("fork needs a step of 1 or more, not 0")) {
                _ = try await dbos.fork("run-1", fromStep: 0)
            }
            await #expect(throws: DBOSError.nonexistentWorkflow(workflowID: "nope")) {
                _ = try await dbos.fork("nope", fromStep: 1)
            }
            // The same fork again is the fork already made; an ID another workflow holds is refused.
            #expect(try await dbos.fork("run-1", fromStep: 4, newID: "run-1-fork") == "run-1-fork")
            #expect(try await dbos.listWorkflows(ListWorkflowsFilter(forkedFrom: "run-1")).map(\.workflowID) == ["run-1-fork"])
            let taken = await #expect(throws: DBOSError.self) { _ = try await dbos.fork("run-1-fork", fromStep: 1, newID: "run-1") }
            #expect(taken?.code == .conflictingWorkflow && taken?.message.contains("workflow ID 'run-1' is taken by another workflow") == true,
                    "\(String(describing: taken))")
        }
    }

    @Test(arguments: Backend.available)
    func clientEnqueuesByNameAndReadsTheResult(backend: Backend) async throws {
        let greet = Workflow("greet") { (name: String, times: Int) async throws -> String in
            try await DBOS.step("compose") { String(repeating: "hi \(name) ", count: times) }
        }
        let queue = Queue("client-queue")
        let url = try await backend.freshDatabaseURL()
        let dbos = try DBOS(config: DBOSConfig(name: "q", systemDatabaseURL: url, applicationVersion: "v"))
        try dbos.register(greet)
        try dbos.register(queues: queue)
        try await dbos.launch()
        let client = try await DBOSClient(databaseURL: url)
        let id = try await client.enqueue(workflowName: "greet", queue: "client-queue", "ada", 2)
        #expect(try await client.result(of: id, as: String.self, timeout: .seconds(30)) == "hi ada hi ada ")
        let status = try #require(try await client.getWorkflowStatus(id))
        #expect(status.input == #"{"positionalArgs":["ada",2],"namedArgs":{}}"#)
        #expect(status.executorID == "local")   // set by the executor that dequeued it
        #expect(status.applicationVersion == "v")
        // Nobody serves this queue, so the workflow waits in it.
        let parked = try await client.enqueue(workflowName: "greet", queue: "unserved", "bob", 1)
        #expect(try await client.listQueuedWorkflows(queue: "unserved").map(\.workflowID) == [parked])
        await client.close()
        await dbos.shutdown()
    }

    /// The runtime enqueues by name too (DBOS 3.4): outside a workflow, and inside one as a
    /// recorded child that a replay does not enqueue again.
    @Test(arguments: Backend.available)
    func theRuntimeEnqueuesByName(backend: Backend) async throws {
        let greet = Workflow("greetByName") { (name: String) async throws -> String in "hi \(name)" }
        let parent = Workflow("enqueuesByName") { () async throws -> String in
            let runtime = try #require(DBOS.currentRuntime)
            let child = try await runtime.enqueue(workflowName: "greetByName", queue: "by-name", "child")
            return try await runtime.retrieve(child, as: String.self).result()
        }
        let queue = Queue("by-name")
        try await withRuntime(try await backend.freshDatabaseURL(), greet, parent, queues: [queue]) { dbos in
            let id = try await dbos.enqueue(workflowName: "greetByName", queue: "by-name", "ada")
            #expect(try await dbos.retrieve(id, as: String.self).result() == "hi ada")
            #expect(try await dbos.run(parent, options: WorkflowOptions(workflowID: "by-name-parent")) == "hi child")
            let steps = try await dbos.listSteps("by-name-parent")
            #expect(steps.first?.functionName == "greetByName" && steps.first?.childWorkflowID == "by-name-parent-1")
            let replay = try await dbos.retrieve("by-name-parent", as: String.self).fork(fromStep: 2)
            #expect(try await replay.result() == "hi child")
            #expect(try await dbos.listWorkflows(ListWorkflowsFilter(name: "greetByName")).count == 2, "one enqueue each, none on replay")
            let unpartitioned = await #expect(throws: DBOSError.self) {
                _ = try await dbos.enqueue(workflowName: "greetByName", queue: "by-name", "x", options: EnqueueOptions(partitionKey: "k"))
            }
            #expect(unpartitioned?.code == .invalidArgument)
        }
    }

    @Test(arguments: Backend.available)
    func deleteRemovesEverything(backend: Backend) async throws {
        let counter = Counter()
        let stepper = Self.stepper(counter, pause: .zero)
        try await withRuntime(try await backend.freshDatabaseURL(), stepper) { dbos in
            _ = try await dbos.run(stepper, options: WorkflowOptions(workflowID: "gone"))
            try await dbos.delete("gone")
            #expect(try await dbos.getWorkflowStatus("gone") == nil)
            #expect(try await dbos.listSteps("gone").isEmpty)
            await #expect(throws: DBOSError.nonexistentWorkflow(workflowID: "gone")) { try await dbos.delete("gone") }
        }
    }
}

import Synchronization
