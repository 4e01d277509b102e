import DBOSTestSupport
import DBOSTesting
import Foundation
import Testing
@testable import DBOS

/// The application-version registry (issue 15): each runtime registers its version at launch,
/// once, as DBOS Python 3.4 does; the latest is the newest, and can be set.
@Suite(.timeLimit(.minutes(5))) struct ApplicationVersionTests {
    @Test(arguments: Backend.available)
    func runtimesRegisterTheirVersionsAndTheLatestCanBeSet(backend: Backend) async throws {
        let url = try await backend.freshDatabaseURL("versions")
        let clock = TestClock(now: Date(timeIntervalSince1970: 1_798_761_600))
        for version in ["v1", "v2", "v1"] {
            let runtime = try TestRuntime(database: .url(url), clock: clock, configure: { $0.applicationVersion = version }) { _ in }
            try await runtime.launch()
            await runtime.shutdown()
            clock.advance(by: .seconds(60))
        }
        let client = try await DBOSClient(databaseURL: url, clock: clock)
        let versions = try await client.listApplicationVersions()
        #expect(versions.map(\.name) == ["v2", "v1"], "each version once, latest first")
        #expect(versions.first?.timestamp == Date(timeIntervalSince1970: 1_798_761_660), "v2 registered a minute after v1")

        try await client.setLatestApplicationVersion("v1")
        #expect(try await client.listApplicationVersions().map(\.name) == ["v1", "v2"])
        await #expect(throws: DBOSError.invalidArgument("application version 'v9' is not registered")) {
            try await client.setLatestApplicationVersion("v9")
        }
        await client.close()
    }

    /// As DBOS 3.4 dequeues: work enqueued without a version runs only on the latest registered
    /// version, while each version runs the work of its own.
    @Test(arguments: Backend.available)
    func versionlessWorkRunsOnTheLatestVersionOnly(backend: Backend) async throws {
        let url = try await backend.freshDatabaseURL("latest_only")
        let whoRuns = Workflow("whoRuns") { () async throws -> String in DBOS.currentRuntime?.applicationVersion ?? "none" }
        let queue = Queue("versioned")
        var runtimes: [DBOS] = []
        for version in ["v1", "v2"] {
            let dbos = try DBOS(config: DBOSConfig(name: "versions", systemDatabaseURL: url, executorID: "executor-\(version)",
                                                   applicationVersion: version))
            try dbos.register(whoRuns)
            try dbos.register(queues: queue)
            try await dbos.launch()
            runtimes.append(dbos)
        }
        let client = try await DBOSClient(databaseURL: url)
        try await client.setLatestApplicationVersion("v2")
        let first = try await client.enqueue(workflowName: "whoRuns", queue: "versioned")
        #expect(try await client.result(of: first, as: String.self, timeout: .seconds(60)) == "v2")
        let pinned = try await client.enqueue(workflowName: "whoRuns", queue: "versioned", options: EnqueueOptions(applicationVersion: "v1"))
        #expect(try await client.result(of: pinned, as: String.self, timeout: .seconds(60)) == "v1", "v1 still runs its own work")

        try await client.setLatestApplicationVersion("v1")
        let second = try await client.enqueue(workflowName: "whoRuns", queue: "versioned")
        #expect(try await client.result(of: second, as: String.self, timeout: .seconds(60)) == "v1")
        #expect(try await client.getWorkflowStatus(second)?.executorID == "executor-v1")
        await client.close()
        for dbos in runtimes { await dbos.shutdown() }
    }

    /// The default version follows the code of `@Workflow` workflows (their fingerprint), not
    /// only the names, as DBOS Python hashes the workflows' source; closure workflows count by
    /// name, as before.
    @Test func theDefaultVersionChangesWithAnnotatedWorkflowsCode() throws {
        func version(_ workflows: any WorkflowDefinition...) throws -> String {
            let dbos = try DBOS(config: DBOSConfig(name: "fingerprints", systemDatabaseURL: "sqlite:///tmp/unused-\(UUID().uuidString).sqlite"))
            try dbos.register(workflows)
            return dbos.applicationVersion
        }
        let body: @Sendable () async throws -> Int = { 1 }
        let old = try version(Workflow<Int>("w", codeFingerprint: "0000000000000001", body))
        #expect(try version(Workflow<Int>("w", codeFingerprint: "0000000000000001", body)) == old, "the same code keeps its version")
        #expect(try version(Workflow<Int>("w", codeFingerprint: "0000000000000002", body)) != old, "changed code gets a new one")
        let closureOnly = try version(Workflow<Int>("w", body))
        #expect(closureOnly != old)
        #expect(closureOnly == "af63ea4c86020456", "closure workflows keep the names-only hash of earlier releases")
        #expect(try version(AnnotatedVersioned.$versioned) == version(AnnotatedVersioned.$versioned))

        // Three builds of one workflow, `report`, compiled by the macro: the same code
        // reformatted with a comment keeps the version; a changed body changes it.
        let v1 = try version(ReportV1.$report)
        #expect(try version(ReportV1Reformatted.$report) == v1)
        #expect(try version(ReportV2.$report) != v1)
    }
}

enum AnnotatedVersioned {
    @Workflow static func versioned() async throws -> Int { 7 }
}

enum ReportV1 {
    @Workflow(name: "report") static func report(_ day: Int) async throws -> Int {
        try await DBOS.step("count") { day * 2 }
    }
}

enum ReportV1Reformatted {
    @Workflow(name: "report")
    static func report(_ day: Int) async throws -> Int {
        // The same code, laid out differently.
        try await DBOS.step("count") {
            day * 2
        }
    }
}

enum ReportV2 {
    @Workflow(name: "report") static func report(_ day: Int) async throws -> Int {
        try await DBOS.step("count") { day * 3 }
    }
}
