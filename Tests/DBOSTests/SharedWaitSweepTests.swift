import DBOSTestSupport
import Foundation
import Testing
@testable import DBOS

/// Waiting workflows cost no queries each (issue 13): `recv` and `getEvent` are woken by local
/// writes and LISTEN/NOTIFY, and by one shared sweep per runtime that finds, with one query per
/// channel, the waiters whose rows are there.
@Suite(.timeLimit(.minutes(5))) struct SharedWaitSweepTests {
    static let hasPostgres = Backend.available.contains(.postgres)
    static let consume = "SELECT message_uuid, message, serialization FROM"
    static let sweep = "SELECT DISTINCT destination_uuid, topic FROM"

    static let patient = Workflow("patientReceiver") { () async throws -> String in
        try await DBOS.receive(String.self, topic: "news", timeout: .seconds(3600)) ?? "nothing"
    }

    /// Twenty workflows wait in `recv` while several sweeps pass: each checked its inbox once,
    /// when it began to wait, and never again until its message came.
    @Test(.enabled(if: hasPostgres, "needs PostgreSQL (the proxy counts statements)"))
    func waitingWorkflowsDoNotPollOneByOne() async throws {
        let database = try await Backend.postgres.freshDatabaseURL("wait_sweep")
        let proxy = try PostgresWireProxy(upstream: database)
        defer { proxy.stop() }
        try await withRuntime(proxy.url(database: database), Self.patient) { (dbos: DBOS) async throws in
            let ids = (1...20).map { "patient-\($0)" }
            let handles = try await ids.asyncMap { try await dbos.start(Self.patient, options: WorkflowOptions(workflowID: $0)) }
            try await eventually("every workflow to look at its inbox") { proxy.statements(containing: Self.consume) == 20 }
            let sweeps = proxy.statements(containing: Self.sweep)
            try await eventually("three more sweeps to pass") { proxy.statements(containing: Self.sweep) >= sweeps + 3 }
            #expect(proxy.statements(containing: Self.consume) == 20, "no waiter looked again on its own")

            for id in ids { try await dbos.send("hello \(id)", to: id, topic: "news") }
            for (id, handle) in zip(ids, handles) { #expect(try await handle.result() == "hello \(id)") }
        }
    }

    /// A message written without any signal (on PostgreSQL with the notification trigger
    /// disabled for the insert; on SQLite there is no NOTIFY at all) reaches its waiter through
    /// the sweep, long before the receive's hour-long timeout.
    @Test(arguments: Backend.available)
    func aMessageWrittenWithoutASignalIsFoundByTheSweep(backend: Backend) async throws {
        try await withRuntime(try await backend.freshDatabaseURL("wait_sweep_silent"), Self.patient) { (dbos: DBOS) async throws in
            let handle = try await dbos.start(Self.patient, options: WorkflowOptions(workflowID: "silent"))
            try await eventually("the workflow to wait") { dbos.hub.watchedWorkflowIDs(on: .notifications).contains("silent") }
            if backend == .postgres {
                _ = try await dbos.rawSQL("""
                    DO $$ BEGIN
                        SET LOCAL session_replication_role = replica;
                        INSERT INTO dbos.notifications (message_uuid, destination_uuid, topic, message, created_at_epoch_ms, serialization)
                        VALUES ('silent-1', 'silent', 'news', '"quietly"', 1, 'portable_json');
                    END $$
                    """)
            } else {
                _ = try await dbos.rawSQL("""
                    INSERT INTO notifications (message_uuid, destination_uuid, topic, message, created_at_epoch_ms, serialization)
                    VALUES ('silent-1', 'silent', 'news', '"quietly"', 1, 'portable_json')
                    """)
            }
            #expect(try await handle.result() == "quietly")
        }
    }

    /// An event set without a signal reaches a waiting workflow through the sweep, and a
    /// client (which runs no sweep) waiting for it, through its own polling.
    @Test(arguments: Backend.available)
    func anEventWrittenWithoutASignalIsFoundByTheSweep(backend: Backend) async throws {
        let quiet = Workflow("quietPublisher") { () async throws -> String in
            try await DBOS.receive(String.self, topic: "go", timeout: .seconds(3600)) ?? "none"
        }
        let watcher = Workflow("eventWatcher") { (target: String) async throws -> String in
            try await DBOS.event("ready", of: target, as: String.self, timeout: .seconds(3600)) ?? "none"
        }
        let url = try await backend.freshDatabaseURL("wait_sweep_event")
        try await withRuntime(url, quiet, watcher) { (dbos: DBOS) async throws in
            let publisher = try await dbos.start(quiet, options: WorkflowOptions(workflowID: "publisher"))
            let watching = try await dbos.start(watcher, "publisher", options: WorkflowOptions(workflowID: "watcher"))
            let client = try await DBOSClient(databaseURL: url)
            let clientWait = Task { try await client.event("ready", of: "publisher", as: String.self, timeout: .seconds(3600)) }
            try await eventually("the watcher to wait") { dbos.hub.watchedWorkflowIDs(on: .events).contains("publisher") }
            // No NOTIFY: DBOS announces events from the writer, not with a trigger.
            let events: SQLFragment = backend == .postgres ? "dbos.workflow_events" : "workflow_events"
            _ = try await dbos.rawSQL("""
                INSERT INTO \(events) (workflow_uuid, key, value, serialization)
                VALUES ('publisher', 'ready', '"set quietly"', 'portable_json')
                """)
            #expect(try await watching.result() == "set quietly")
            #expect(try await clientWait.value == "set quietly")
            await client.close()
            try await dbos.send("done", to: "publisher", topic: "go")
            #expect(try await publisher.result() == "done")
        }
    }
}
