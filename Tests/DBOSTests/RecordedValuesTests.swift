import DBOSTestSupport
import Foundation
import Testing
@testable import DBOS

/// `listEvents` and `listStreams`: what a workflow published, read back by key as stored, on a
/// runtime and on a client.
@Suite struct RecordedValuesTests {
    @Test(arguments: Backend.available)
    func eventsAndStreamsAreListedByKey(backend: Backend) async throws {
        let url = try await backend.freshDatabaseURL()
        let publisher = Workflow("publisher") { () async throws -> String in
            try await DBOS.setEvent("status", to: "starting")
            try await DBOS.setEvent("progress", to: 40)
            try await DBOS.setEvent("status", to: "done")
            for token in ["a", "b", "c"] { try await DBOS.write(token, toStream: "tokens") }
            try await DBOS.closeStream("tokens")
            for index in 0..<5 { try await DBOS.write(index, toStream: "numbers") }
            return "ok"
        }
        try await withRuntime(url, publisher) { dbos in
            _ = try await dbos.run(publisher, options: WorkflowOptions(workflowID: "pub-1"))
            let client = try await DBOSClient(databaseURL: url)
            for reader in [dbos as any WorkflowManaging, client] {
                let events = try await reader.listEvents("pub-1")
                #expect(events.map(\.key) == ["progress", "status"])
                #expect(events.map(\.value) == ["40", "\"done\""])

                let streams = try await reader.listStreams("pub-1", limit: 2)
                #expect(streams.map(\.key) == ["numbers", "tokens"])
                let numbers = try #require(streams.first)
                #expect(numbers.count == 5 && !numbers.isClosed)
                #expect(numbers.values == [StreamRecord.Entry(offset: 0, value: "0"), StreamRecord.Entry(offset: 1, value: "1")])
                let tokens = try #require(streams.last)
                #expect(tokens.count == 3 && tokens.isClosed)
                #expect(try await reader.listStreams("pub-1").last?.values.map(\.value) == ["\"a\"", "\"b\"", "\"c\""])

                #expect(try await reader.listEvents("nobody").isEmpty)
                #expect(try await reader.listStreams("nobody").isEmpty)
            }
            await client.close()
        }
    }
}
