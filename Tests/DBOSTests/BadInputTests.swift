import DBOSTestSupport
import Foundation
import Testing
@testable import DBOS

@Suite struct BadInputTests {
    @Test(arguments: [
        ("mysql://root@localhost/db", "unsupported scheme 'mysql'"),
        ("postgresql://user@host:99999/db", "port 99999 is out of range"),
        ("postgresql://user@host:5432/", "no database name"),
        ("postgresql:///db", "no host"),
        ("", "the URL is empty"),
    ])
    func malformedDatabaseURLsAreRejected(url: String, reason: String) async throws {
        do {
            _ = try DBOS(config: DBOSConfig(name: "bad", systemDatabaseURL: url))
            Issue.record("expected \(url) to be rejected")
        } catch let error as DBOSError {
            #expect(error.code == .invalidDatabaseURL, "\(error)")
            #expect(error.description.contains(reason), "\(error)")
        }
    }

    /// Creating a runtime does no I/O; starting it reports the unreachable database.
    @Test func unreachableDatabasesSayWhere() async throws {
        let unreachable = try DBOS(config: DBOSConfig(name: "bad", systemDatabaseURL: "postgresql://postgres@127.0.0.1:1/nowhere"))
        do {
            try await unreachable.launch()
            Issue.record("expected a connection error")
        } catch let error as DBOSError {
            #expect(error.code == .databaseUnreachable, "\(error)")
            #expect(error.message.hasPrefix("cannot reach system database postgresql://postgres@127.0.0.1:1/nowhere:"), "\(error)")
        }
        let missingFolder = try DBOS(config: DBOSConfig(name: "bad", systemDatabaseURL: "/no/such/folder/app.sqlite"))
        do {
            try await missingFolder.launch()
            Issue.record("expected an error for a missing folder")
        } catch let error as DBOSError {
            #expect(error.description.contains("directory '/no/such/folder' does not exist"), "\(error)")
        }
    }

    @Test(arguments: Backend.available)
    func unknownWorkflowNameInARecoveredRowIsReportedAndLeftAlone(backend: Backend) async throws {
        let url = try await backend.freshDatabaseURL()
        let sleeper = Workflow("retiredWorkflow") { () async throws -> Int in
            try await DBOS.sleep(for: .seconds(30))
            return 1
        }
        let first = try await launchRuntime(url, sleeper)
        _ = try await first.start(sleeper, options: WorkflowOptions(workflowID: "orphan"))
        try await eventually("the sleep to be recorded") { try await first.listSteps("orphan").count == 1 }
        await first.shutdown()

        let other = Workflow("otherWorkflow") { () async throws -> Int in 2 }
        let second = try await launchRuntime(url, other)
        let before = try #require(try await second.getWorkflowStatus("orphan"))
        let report = try await second.recoverPendingWorkflows()
        #expect(report.recovered.isEmpty)
        #expect(report.failures.map(\.workflowID) == ["orphan"])
        #expect(report.failures.first?.error == .workflowNotRegistered(name: "retiredWorkflow"))
        #expect(report.failures.first?.error.description == "workflow 'retiredWorkflow' is not registered with this DBOS runtime")
        #expect(try await second.getWorkflowStatus("orphan") == before)
        #expect(before.state == .pending)
        await second.shutdown()
    }

    @Test(arguments: Backend.available)
    func foreignSerializationIsNamedAndListingStillWorks(backend: Backend) async throws {
        let echo = Workflow("echo") { (text: String) async throws -> String in text }
        try await withRuntime(try await backend.freshDatabaseURL(), echo) { dbos in
            _ = try await dbos.run(echo, "hi", options: WorkflowOptions(workflowID: "pickled"))
            // Make the row look like one written by DBOS Python with its default pickle format.
            _ = try await dbos.rawSQL("UPDATE dbos.workflow_status SET serialization = 'py_pickle' WHERE workflow_uuid = 'pickled'")
            _ = try await dbos.rawSQL("UPDATE dbos.workflow_output SET output = 'gASVBgAAAAAAAACMAmhplC4=' WHERE workflow_uuid = 'pickled'")
            await #expect(throws: DBOSError.unsupportedSerialization(format: "py_pickle", what: "output of workflow 'pickled'")) {
                _ = try await dbos.retrieve("pickled", as: String.self).result()
            }
            let listed = try await dbos.listWorkflows(ListWorkflowsFilter(workflowIDs: ["pickled"]))
            #expect(listed.first?.serialization == "py_pickle")
            #expect(listed.first?.output == "gASVBgAAAAAAAACMAmhplC4=")
            #expect(listed.first?.state == .success)
        }
    }

    @Test(arguments: Backend.available)
    func undecodableOutputAndWrongTypeAreSpecificErrors(backend: Backend) async throws {
        let echo = Workflow("echo") { (text: String) async throws -> String in text }
        try await withRuntime(try await backend.freshDatabaseURL(), echo) { dbos in
            _ = try await dbos.run(echo, "hello", options: WorkflowOptions(workflowID: "typed"))
            do {
                _ = try await dbos.retrieve("typed", as: Int.self).result()
                Issue.record("expected a decoding error")
            } catch let error as DBOSError where error.code == .decodingFailed {
                #expect(error.message.hasPrefix("cannot decode output of workflow 'typed' as Int:"), "\(error)")
            }
            _ = try await dbos.rawSQL("UPDATE dbos.workflow_output SET output = '{not json' WHERE workflow_uuid = 'typed'")
            do {
                _ = try await dbos.retrieve("typed", as: String.self).result()
                Issue.record("expected a decoding error")
            } catch let error as DBOSError where error.code == .decodingFailed {
                #expect(error.message.hasPrefix("cannot decode output of workflow 'typed' as String:"), "\(error)")
                #expect(error.message.contains("malformed"), "\(error)")
            }
            // The committed row is untouched by the failed reads.
            let status = try #require(try await dbos.getWorkflowStatus("typed"))
            #expect(status.state == .success)
            #expect(status.output == "{not json")
        }
    }

    @Test(arguments: Backend.available)
    func retrievingAnUnknownIDIsAnError(backend: Backend) async throws {
        let echo = Workflow("echo") { (text: String) async throws -> String in text }
        try await withRuntime(try await backend.freshDatabaseURL(), echo) { dbos in
            await #expect(throws: DBOSError.nonexistentWorkflow(workflowID: "missing")) {
                _ = try await dbos.retrieve("missing", as: String.self)
            }
        }
    }
}
