import DBOSTestSupport
import Foundation
import Testing
@testable import DBOS

/// A write that commits on the server while its connection drops before the answer arrives
/// (failover, network cut): the client cannot tell whether it happened, retries it, and must
/// neither apply it twice nor strand what it did (issue 12, items 1 and 3). A proxy in front of
/// the real server loses the answer to one chosen statement's transaction. PostgreSQL only: an
/// embedded SQLite file has no connection to lose.
@Suite(.timeLimit(.minutes(5))) struct UncertainCommitTests {
    static let hasPostgres = Backend.available.contains(.postgres)

    /// Runs `body` with a runtime connected through a proxy that can lose answers.
    private func withProxiedRuntime(_ label: String, _ workflows: any WorkflowDefinition..., queues: [Queue] = [],
                                    body: (DBOS, PostgresWireProxy) async throws -> Void) async throws {
        let database = try await Backend.postgres.freshDatabaseURL(label)
        let proxy = try PostgresWireProxy(upstream: database)
        defer { proxy.stop() }
        let dbos = try DBOS(config: DBOSConfig(name: label, systemDatabaseURL: proxy.url(database: database),
                                               applicationVersion: "test-version"))
        try dbos.register(workflows)
        try dbos.registerQueues(queues)
        try await dbos.launch()
        do {
            try await body(dbos, proxy)
            await dbos.shutdown()
        } catch {
            await dbos.shutdown()
            throw error
        }
    }

    /// Item 3: a queue claim whose COMMIT answer is lost is retried under the same owner token,
    /// finds the rows it took, and runs them; nothing is stranded PENDING, nothing claimed twice.
    @Test(.enabled(if: hasPostgres, "needs PostgreSQL"), arguments: [Queue("uc-shared", concurrency: 2), Queue("uc-local")])
    func aClaimWhoseCommitIsLostRunsWhatItClaimed(queue: Queue) async throws {
        let counter = Counter()
        let work = Workflow("claimed") { (label: String) async throws -> String in
            try await DBOS.step("body") { counter.hit(label); return label.uppercased() }
        }
        try await withProxiedRuntime("uc_claim_\(queue.name.replacingOccurrences(of: "-", with: "_"))", work, queues: [queue]) { (dbos: DBOS, proxy: PostgresWireProxy) async throws in
            proxy.loseCommit(ofStatementContaining: "SET status = 'PENDING', executor_id")
            let handles = try await (1...3).asyncMap { index in
                try await dbos.enqueue(work, "w\(index)", on: queue, options: EnqueueOptions(workflowID: "\(queue.name)-\(index)"))
            }
            for (index, handle) in handles.enumerated() { #expect(try await handle.result() == "W\(index + 1)") }
            #expect(proxy.lost("SET status = 'PENDING', executor_id") == 1, "a claim's answer was lost")
            for index in 1...3 {
                let status = try #require(try await dbos.getWorkflowStatus("\(queue.name)-\(index)"))
                #expect(status.state == .success)
                #expect(status.recoveryAttempts == 1, "claimed once: \(status.recoveryAttempts)")
                #expect(counter.count("w\(index)") == 1)
            }
        }
    }

    /// A claim try that the watchdog abandons while its COMMIT is on its way, and that commits
    /// only after the retry has read back (finding nothing) and claimed around its locked rows:
    /// the rows it took are PENDING under the claim's token with no execution. The dispatcher
    /// watches the tokens of retried claims and starts them (they used to stay stranded until
    /// the next launch; this test then timed out).
    @Test(.enabled(if: hasPostgres, "needs PostgreSQL"), arguments: [Queue("late-shared", concurrency: 2), Queue("late-local")])
    func aClaimTryThatCommitsAfterItsRetryIsStillRun(queue: Queue) async throws {
        let counter = Counter()
        let work = Workflow("lateClaimed") { (label: String) async throws -> String in
            try await DBOS.step("body") { counter.hit(label); return label.uppercased() }
        }
        let ping = Workflow("ping") { () async throws -> String in "pong" }
        let label = "uc_late_\(queue.name.replacingOccurrences(of: "-", with: "_"))"
        try await withProxiedRuntime(label, work, ping, queues: [queue]) { (dbos: DBOS, proxy: PostgresWireProxy) async throws in
            let claim = "SET status = 'PENDING', executor_id"
            let readBack = "status = 'PENDING' AND owner_xid = "
            proxy.holdCommit(ofStatementContaining: claim)
            let id = "\(queue.name)-1"
            _ = try await dbos.enqueue(work, "late", on: queue, options: EnqueueOptions(workflowID: id))
            try await eventually("the claim's COMMIT to be held") { proxy.isHolding(claim) }
            // A lost answer (to another workflow's start) while the claim waits is a failure the
            // watchdog sees during the claim's attempt: the claim is then abandoned after 2 s
            // without an answer (not 60), however long the claim took to begin.
            let pingStart = "ON CONFLICT (workflow_uuid) DO UPDATE SET creator_xid"
            proxy.loseCommit(ofStatementContaining: pingStart)
            #expect(try await dbos.start(ping).result() == "pong")
            #expect(proxy.lost(pingStart) == 1)
            try await eventually("the abandoned claim's retry to read back its token") {
                proxy.statements(containing: readBack) >= 1
            }
            proxy.release(claim)   // the abandoned try commits now: the row is PENDING under its token
            try await eventually(timeout: .seconds(60), "the late-claimed workflow to finish") {
                try await dbos.getWorkflowStatus(id)?.state == .success
            }
            #expect(try await dbos.retrieve(id, as: String.self).result() == "LATE")
            let status = try #require(try await dbos.getWorkflowStatus(id))
            #expect(status.recoveryAttempts == 1, "claimed once: \(status.recoveryAttempts)")
            #expect(counter.count("late") == 1)
            // The queue goes on as before.
            let next = try await dbos.enqueue(work, "next", on: queue, options: EnqueueOptions(workflowID: "\(queue.name)-2"))
            #expect(try await next.result() == "NEXT")
        }
    }

    /// Steps "first" and "second", counted in `counter`; `holding`, it waits between them (not
    /// durably) until a shutdown cancels it, leaving the workflow PENDING after "first".
    static func twoSteps(_ name: String, counter: Counter, holding: Bool) -> Workflow<String> {
        Workflow(name) { () async throws -> String in
            _ = try await DBOS.step("first") { counter.hit("first") }
            if holding { try await Task.sleep(for: .seconds(3600)) }
            return try await DBOS.step("second") { counter.hit("second"); return "done" }
        }
    }

    /// A recovery claim whose COMMIT answer is lost is retried, finds the row already its own
    /// and runs the workflow. (It used to see a row "moved on" and drop it: the workflow stayed
    /// PENDING under an owner no execution held, until the next restart.)
    @Test(.enabled(if: hasPostgres, "needs PostgreSQL"))
    func aRecoveryClaimWhoseCommitIsLostRunsTheWorkflow() async throws {
        let counter = Counter()
        func work(holding: Bool) -> Workflow<String> { Self.twoSteps("recovered", counter: counter, holding: holding) }
        let database = try await Backend.postgres.freshDatabaseURL("uc_recover")
        let held = work(holding: true)
        let first = try await launchRuntime(database, held)
        _ = try await first.start(held, options: WorkflowOptions(workflowID: "uc-recover"))
        try await eventually("the first step to be recorded") { try await first.listSteps("uc-recover").count == 1 }
        await first.shutdown(timeout: .zero)

        let proxy = try PostgresWireProxy(upstream: database)
        defer { proxy.stop() }
        let claim = "recovery_attempts = recovery_attempts + 1, updated_at"
        proxy.loseCommit(ofStatementContaining: claim)
        let second = try await launchRuntime(proxy.url(database: database), work(holding: false))
        #expect(try await second.retrieve("uc-recover", as: String.self).result() == "done")
        #expect(proxy.lost(claim) == 1, "the recovery claim's answer was lost")
        let status = try #require(try await second.getWorkflowStatus("uc-recover"))
        #expect(status.state == .success)
        #expect(status.recoveryAttempts == 2, "claimed once by the recovery: \(status.recoveryAttempts)")
        #expect(counter.count("first") == 1 && counter.count("second") == 1)
        await second.shutdown()
    }

    /// A lease takeover whose COMMIT answer is lost is retried and finds what its first try
    /// took (by this executor and the call's own timestamp), then runs it. (The retry used to
    /// find nothing left to take, stranding the workflow here until the next restart.)
    @Test(.enabled(if: hasPostgres, "needs PostgreSQL"))
    func aTakeoverWhoseCommitIsLostRunsWhatItTook() async throws {
        let counter = Counter()
        func work(holding: Bool) -> Workflow<String> { Self.twoSteps("takenOver", counter: counter, holding: holding) }
        func config(_ executor: String, _ url: String) -> DBOSConfig {
            DBOSConfig(name: executor, systemDatabaseURL: url, executorID: executor, applicationVersion: "v1",
                       executorLease: .seconds(1))
        }
        let database = try await Backend.postgres.freshDatabaseURL("uc_takeover")
        let held = work(holding: true)
        let dead = try DBOS(config: config("dead-executor", database))
        try dead.register(held)
        try await dead.launch()
        _ = try await dead.start(held, options: WorkflowOptions(workflowID: "uc-takeover"))
        try await eventually("the first step to be recorded") { try await dead.listSteps("uc-takeover").count == 1 }
        await dead.shutdown(timeout: .zero)   // its lease stays behind and expires
        let client = try await DBOSClient(databaseURL: database)
        try await eventually(timeout: .seconds(30), "the dead executor's lease to expire") {
            try await client.systemDatabase.expiredLeases(excluding: "live-executor").contains("dead-executor")
        }
        await client.close()

        let proxy = try PostgresWireProxy(upstream: database)
        defer { proxy.stop() }
        let takeover = "SET executor_id = "
        proxy.loseCommit(ofStatementContaining: takeover)
        let live = try DBOS(config: config("live-executor", proxy.url(database: database)))
        try live.register(work(holding: false))
        try await live.launch()
        #expect(try await live.retrieve("uc-takeover", as: String.self).result() == "done")
        #expect(proxy.lost(takeover) == 1, "the takeover's answer was lost")
        let status = try #require(try await live.getWorkflowStatus("uc-takeover"))
        #expect(status.state == .success && status.executorID == "live-executor")
        #expect(try await live.listSteps("uc-takeover").map(\.functionName) == ["first", "second"], "each step recorded once")
        // Started once, taken over once: each body ran once. A lease that lapsed under load
        // stops and recovers an execution again (its unrecorded step may run again); the extra
        // recovery attempts then show it.
        let runs = "first ran \(counter.count("first")), second \(counter.count("second")), recovery attempts \(status.recoveryAttempts)"
        if status.recoveryAttempts == 2 {
            #expect(counter.count("first") == 1 && counter.count("second") == 1, "\(runs)")
        } else {
            // "second" runs only on the live executor (the dead one holds before it).
            #expect(counter.count("first") <= status.recoveryAttempts && counter.count("second") >= 1
                    && counter.count("second") <= status.recoveryAttempts - 1, "\(runs)")
        }
        await live.shutdown()
    }

    /// A step checkpoint whose answer is lost is retried and reconciled with the row it wrote:
    /// the step is recorded once, its body ran once, and the workflow goes on.
    @Test(.enabled(if: hasPostgres, "needs PostgreSQL"))
    func aCheckpointWhoseCommitIsLostIsRecordedOnce() async throws {
        let counter = Counter()
        let work = Workflow("checkpointed") { () async throws -> String in
            let first = try await DBOS.step("first") { counter.hit("first"); return "a" }
            let second = try await DBOS.step("second") { counter.hit("second"); return "b" }
            return first + second
        }
        try await withProxiedRuntime("uc_step", work) { (dbos: DBOS, proxy: PostgresWireProxy) async throws in
            proxy.loseCommit(ofStatementContaining: #"INSERT INTO "dbos".operation_outputs"#)
            #expect(try await dbos.run(work, options: WorkflowOptions(workflowID: "uc-step")) == "ab")
            #expect(proxy.lost(#"INSERT INTO "dbos".operation_outputs"#) == 1)
            #expect(try await dbos.listSteps("uc-step").map(\.functionName) == ["first", "second"])
            #expect(counter.count("first") == 1 && counter.count("second") == 1)
            #expect(try await dbos.getWorkflowStatus("uc-step")?.state == .success)
        }
    }

    /// A completion whose answer is lost leaves the workflow SUCCESS with its output, and the
    /// caller still gets the result.
    @Test(.enabled(if: hasPostgres, "needs PostgreSQL"))
    func aCompletionWhoseCommitIsLostStillDeliversTheResult() async throws {
        let work = Workflow("completed") { (word: String) async throws -> String in
            try await DBOS.step("echo") { word + "!" }
        }
        try await withProxiedRuntime("uc_complete", work) { (dbos: DBOS, proxy: PostgresWireProxy) async throws in
            proxy.loseCommit(ofStatementContaining: "deduplication_id = NULL, owner_xid = NULL")
            #expect(try await dbos.run(work, "done", options: WorkflowOptions(workflowID: "uc-complete")) == "done!")
            #expect(proxy.lost("deduplication_id = NULL, owner_xid = NULL") == 1)
            let status = try #require(try await dbos.getWorkflowStatus("uc-complete"))
            #expect(status.state == .success)
            #expect(status.recoveryAttempts == 1)
        }
    }

    /// A workflow start whose answer is lost runs the workflow once.
    @Test(.enabled(if: hasPostgres, "needs PostgreSQL"))
    func aStartWhoseCommitIsLostRunsTheWorkflowOnce() async throws {
        let counter = Counter()
        let work = Workflow("started") { () async throws -> String in
            try await DBOS.step("once") { counter.hit("once"); return "ran" }
        }
        try await withProxiedRuntime("uc_start", work) { (dbos: DBOS, proxy: PostgresWireProxy) async throws in
            proxy.loseCommit(ofStatementContaining: #"INSERT INTO "dbos".workflow_status"#)
            #expect(try await dbos.run(work, options: WorkflowOptions(workflowID: "uc-start")) == "ran")
            #expect(proxy.lost(#"INSERT INTO "dbos".workflow_status"#) == 1)
            #expect(counter.count("once") == 1)
            #expect(try await dbos.getWorkflowStatus("uc-start")?.state == .success)
        }
    }

    /// A child start whose commit is lost (the child's row and the parent's record of it are
    /// written, the answer is not): the retry finds its own record and runs the child, which
    /// would otherwise stay PENDING here with nobody to run it until the next restart.
    @Test(.enabled(if: hasPostgres, "needs PostgreSQL"))
    func aChildStartWhoseCommitIsLostRunsTheChild() async throws {
        let counter = Counter()
        let child = Workflow("lostChild") { (word: String) async throws -> String in
            try await DBOS.step("shout") { counter.hit("child"); return word.uppercased() }
        }
        let parent = Workflow("lostParent") { () async throws -> String in
            // The start waits for the go-ahead, so the lost answer is armed for the child's insert.
            _ = try await DBOS.receive(String.self, topic: "go", timeout: .seconds(600))
            return try await DBOS.startWorkflow(child, "hi").result()
        }
        try await withProxiedRuntime("uc_child", parent, child) { (dbos: DBOS, proxy: PostgresWireProxy) async throws in
            let insert = #"INSERT INTO "dbos".workflow_status"#
            let handle = try await dbos.start(parent, options: WorkflowOptions(workflowID: "uc-parent"))
            proxy.loseCommit(ofStatementContaining: insert)
            try await dbos.send("go", to: "uc-parent", topic: "go")
            try await eventually(timeout: .seconds(60), "the parent finishing") {
                try await dbos.getWorkflowStatus("uc-parent")?.state == .success
            }
            #expect(proxy.lost(insert) == 1, "the child's insert lost its answer")
            #expect(try await handle.result() == "HI")
            #expect(counter.count("child") == 1)
            #expect(try await dbos.getWorkflowStatus("uc-parent-3")?.state == .success)
            #expect(try await dbos.listSteps("uc-parent").map(\.functionName) == ["DBOS.recv", "DBOS.sleep", "lostChild", "DBOS.getResult"])
        }
    }

    /// A fork whose commit is lost is made once: the retry finds the fork it made, instead of
    /// failing on its own new ID, and the fork runs once.
    @Test(.enabled(if: hasPostgres, "needs PostgreSQL"))
    func aForkWhoseCommitIsLostIsMadeOnce() async throws {
        let counter = Counter()
        let work = Workflow("forked") { () async throws -> String in
            let first = try await DBOS.step("first") { counter.hit("first"); return "a" }
            let second = try await DBOS.step("second") { counter.hit("second"); return "b" }
            return first + second
        }
        try await withProxiedRuntime("uc_fork", work) { (dbos: DBOS, proxy: PostgresWireProxy) async throws in
            #expect(try await dbos.run(work, options: WorkflowOptions(workflowID: "uc-original")) == "ab")
            let fork = "SET was_forked_from"
            proxy.loseCommit(ofStatementContaining: fork)
            #expect(try await dbos.fork("uc-original", fromStep: 2, newID: "uc-fork") == "uc-fork")
            #expect(proxy.lost(fork) == 1, "the fork's answer was lost")
            #expect(try await dbos.retrieve("uc-fork", as: String.self).result() == "ab")
            #expect(counter.count("first") == 1 && counter.count("second") == 2, "the fork ran its second step once")
            #expect(try await dbos.listWorkflows(ListWorkflowsFilter(forkedFrom: "uc-original")).map(\.workflowID) == ["uc-fork"])
        }
    }

    /// A message, an event and stream entries whose answers are lost are stored once each, and a
    /// receive whose consumption committed without its answer returns that message.
    @Test(.enabled(if: hasPostgres, "needs PostgreSQL"))
    func messagesEventsAndStreamEntriesWhoseCommitIsLostAreStoredOnce() async throws {
        let receiver = Workflow("receiver") { () async throws -> [String] in
            // Until the closing message, sent after the one whose answer is lost: a duplicate of
            // it would arrive before the close.
            var got: [String] = []
            while let message = try await DBOS.receive(String.self, topic: "t", timeout: .seconds(600)), message != "end" {
                got.append(message)
            }
            return got
        }
        let writer = Workflow("writer") { () async throws -> String in
            try await DBOS.setEvent("state", to: "set")
            for value in 0..<3 { try await DBOS.write(value, toStream: "s") }
            return "written"
        }
        try await withProxiedRuntime("uc_messages", receiver, writer) { (dbos: DBOS, proxy: PostgresWireProxy) async throws in
            let patterns = [#"INSERT INTO "dbos".notifications"#, #"INSERT INTO "dbos".workflow_events "#, #"INSERT INTO "dbos".streams"#]
            for pattern in patterns { proxy.loseCommit(ofStatementContaining: pattern) }
            let receiving = try await dbos.start(receiver, options: WorkflowOptions(workflowID: "uc-receiver"))
            try await dbos.send("hello", to: "uc-receiver", topic: "t")
            try await eventually(timeout: .seconds(120), "'hello' received") {
                try await dbos.listSteps("uc-receiver").contains { $0.functionName == "DBOS.recv" && $0.output == #""hello""# }
            }
            // The receive of the closing message commits its consumption but loses the answer.
            // With no other message waiting, its retry must find its own record instead of
            // waiting out the 600 s timeout.
            let consume = "SET consumed = "
            proxy.loseCommit(ofStatementContaining: consume)
            try await dbos.send("end", to: "uc-receiver", topic: "t")
            try await eventually(timeout: .seconds(120), "the receiver finishing") {
                try await dbos.getWorkflowStatus("uc-receiver")?.state == .success
            }
            #expect(proxy.lost(consume) == 1, "the closing message's consumption lost its answer")
            #expect(try await receiving.result() == ["hello"], "the message arrives once")
            #expect(try await dbos.run(writer, options: WorkflowOptions(workflowID: "uc-writer")) == "written")
            for pattern in patterns { #expect(proxy.lost(pattern) == 1, "\(pattern)'s answer was lost") }
            #expect(try await dbos.event("state", of: "uc-writer", as: String.self, timeout: .zero) == "set")
            var values: [Int] = []
            for try await value in dbos.stream("s", of: "uc-writer", as: Int.self) { values.append(value) }
            #expect(values == [0, 1, 2], "each stream entry once")
            let messages = try await dbos.rawSQL("SELECT count(*) AS n FROM dbos.notifications WHERE destination_uuid = 'uc-receiver'")
            #expect(messages.first?.int("n") == 2, "'hello' once, and the closing message")
        }
    }
}

