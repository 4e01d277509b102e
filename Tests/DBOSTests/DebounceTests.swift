import DBOSTestSupport
import DBOSTesting
import Foundation
import Testing
@testable import DBOS

/// Debouncing (issue 15), as DBOS 3.4's `Debouncer`, on the test clock: a burst of calls with one
/// key starts the workflow once, with the last call's inputs, `period` after the last call.
@Suite(.timeLimit(.minutes(5))) struct DebounceTests {
    static let start = Date(timeIntervalSince1970: 1_798_761_600)
    static let summarize = Workflow("summarize") { (text: String) async throws -> String in "summary of \(text)" }
    static let plain = Queue("plain-dedup")

    static func runtime(_ backend: Backend) async throws -> TestRuntime {
        try TestRuntime(database: .url(try await backend.freshDatabaseURL("debounce")), clock: TestClock(now: start)) { dbos in
            try dbos.register(summarize)
            try dbos.register(queues: plain)
        }
    }

    @Test(arguments: Backend.available)
    func aBurstStartsOnceWithTheLastInputs(backend: Backend) async throws {
        let runtime = try await Self.runtime(backend)
        try await runtime.launch()
        let dbos = runtime.dbos
        let first = try await dbos.debounce(Self.summarize, key: "doc-1", period: .seconds(60), "draft 1")
        #expect(try await first.status().state == .delayed)
        await runtime.advance(by: .seconds(30))
        let second = try await dbos.debounce(Self.summarize, key: "doc-1", period: .seconds(60), "draft 2")
        #expect(second.workflowID == first.workflowID, "the burst shares one workflow")
        await runtime.advance(by: .seconds(59))
        #expect(try await first.status().state == .delayed, "60 s after the second call, not the first")

        // DBOS's rows: a DBOS Python process debouncing the same name and key extends this workflow.
        let rows = try await dbos.rawSQL("SELECT deduplication_id, is_debounced, delay_until_epoch_ms FROM dbos.workflow_status")
        #expect(rows.first?.string("deduplication_id") == "summarize-doc-1")
        #expect(rows.first?.int("delay_until_epoch_ms") == Int(Self.start.addingTimeInterval(90).epochMilliseconds))

        // A client extends it too, by name.
        let client = try await DBOSClient(databaseURL: runtime.databaseURL, clock: runtime.clock)
        #expect(try await client.debounce(workflowName: "summarize", key: "doc-1", period: .seconds(60), "draft 3") == first.workflowID)
        await client.close()
        await runtime.advance(by: .seconds(59))
        #expect(try await first.status().state == .delayed)
        await runtime.advance(by: .seconds(1))
        #expect(try await first.result() == "summary of draft 3", "the last call's inputs")

        // Once it has started, the key is free again: the next call begins a new burst.
        let next = try await dbos.debounce(Self.summarize, key: "doc-1", period: .seconds(60), "draft 4")
        #expect(next.workflowID != first.workflowID)
        await runtime.advance(by: .seconds(60))
        #expect(try await next.result() == "summary of draft 4")
        await runtime.shutdown()
    }

    @Test(arguments: Backend.available)
    func theTimeoutBoundsHowLongABurstDelaysTheStart(backend: Backend) async throws {
        let runtime = try await Self.runtime(backend)
        try await runtime.launch()
        let options = DebounceOptions(timeout: .seconds(100))
        let handle = try await runtime.dbos.debounce(Self.summarize, key: "busy", period: .seconds(60), "v1", options: options)
        for version in 2...3 {
            await runtime.advance(by: .seconds(45))
            _ = try await runtime.dbos.debounce(Self.summarize, key: "busy", period: .seconds(60), "v\(version)", options: options)
        }
        await runtime.advance(by: .seconds(9))
        #expect(try await handle.status().state == .delayed)
        await runtime.advance(by: .seconds(1))
        #expect(try await handle.result() == "summary of v3", "started 100 s after the first call, not 60 s after the last")
        #expect(try await handle.status().startedAt == Self.start.addingTimeInterval(100))
        await runtime.shutdown()
    }

    @Test(arguments: Backend.available)
    func aKeyHeldByAnotherWorkflowIsADeduplicationError(backend: Backend) async throws {
        let runtime = try await Self.runtime(backend)
        try await runtime.launch()
        _ = try await runtime.dbos.enqueue(Self.summarize, "plain", on: Self.plain,
                                           options: EnqueueOptions(deduplicationID: "summarize-taken", delay: .seconds(600)))
        let taken = await #expect(throws: DBOSError.self) {
            _ = try await runtime.dbos.debounce(Self.summarize, key: "taken", period: .seconds(1), "x",
                                                options: DebounceOptions(queueName: Self.plain.name))
        }
        #expect(taken?.code == .queueDeduplicated)
        let negative = await #expect(throws: DBOSError.self) {
            _ = try await runtime.dbos.debounce(Self.summarize, key: "k", period: .seconds(-1), "x")
        }
        #expect(negative?.code == .invalidArgument)
        await runtime.shutdown()
    }
}
