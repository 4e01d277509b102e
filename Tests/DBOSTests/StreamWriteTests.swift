import DBOSTestSupport
import Foundation
import Testing
@testable import DBOS

/// Stream values written from inside steps (issue 12, items 11 and 17): concurrent writers do
/// not collide, a writer that lost its workflow is refused, and a fork does not copy what a step
/// it re-runs wrote.
@Suite(.timeLimit(.minutes(5))) struct StreamWriteTests {
    /// Item 11: 16 concurrent steps each write 4 values to one stream. On PostgreSQL, writers
    /// race for the same next offset; the loser retries. Every value arrives once, offsets 0..<64.
    @Test(arguments: Backend.available)
    func concurrentStepsWriteOneStreamWithoutLosingAValue(backend: Backend) async throws {
        let writers = Workflow("concurrentWriters") { () async throws -> Int in
            let written = try await DBOS.map(Array(0..<16), step: "writer") { index in
                for part in 0..<4 { try await DBOS.write("\(index)-\(part)", toStream: "shared") }
                return 4
            }
            try await DBOS.closeStream("shared")
            return written.reduce(0, +)
        }
        try await withRuntime(try await backend.freshDatabaseURL("stream-race"), writers) { dbos in
            #expect(try await dbos.start(writers, options: WorkflowOptions(workflowID: "race-1")).result() == 64)
            var values: [String] = []
            for try await value in dbos.stream("shared", of: "race-1", as: String.self) { values.append(value) }
            #expect(values.count == 64 && Set(values) == Set((0..<16).flatMap { index in (0..<4).map { "\(index)-\($0)" } }))
            let offsets = try await dbos.rawSQL(#"SELECT "offset" FROM dbos.streams WHERE workflow_uuid = 'race-1' ORDER BY "offset""#)
            #expect(offsets.compactMap { $0.int("offset") } == Array(0...64), "64 values and the close, at offsets 0...64")
        }
    }

    /// Item 11: a step still running when its workflow is cancelled from another process (a
    /// client here) cannot write to the workflow's stream any more: the write is refused.
    @Test(arguments: Backend.available)
    func aStreamWriteFromAStepIsRefusedOnceTheWorkflowIsCancelled(backend: Backend) async throws {
        let entered = Latch<Void>(), gate = Latch<Void>()
        let refusal = Latch<String>()
        let writer = Workflow("lateWriter") { () async throws -> String in
            try await DBOS.step("produce") { () async throws -> String in
                try await DBOS.write("before", toStream: "out")
                entered.open(())
                _ = await gate.value   // ignores cancellation, like a blocking call
                do {
                    try await DBOS.write("after", toStream: "out")
                    refusal.open("written")
                } catch {
                    refusal.open((error as? DBOSError)?.code.description ?? "\(error)")
                    throw error
                }
                return "done"
            }
        }
        let url = try await backend.freshDatabaseURL("stream-owner")
        try await withRuntime(url, writer) { dbos in
            _ = try await dbos.start(writer, options: WorkflowOptions(workflowID: "late-1"))
            _ = await entered.value
            let client = try await DBOSClient(databaseURL: url)
            try await client.cancel("late-1")
            await client.close()
            gate.open(())
            // Refused by the database (workflowCancelled), or, when this process noticed the
            // cancel first and stopped the execution, by that stop (CancellationError).
            let refused = await refusal.value
            #expect(refused == DBOSError.Code.workflowCancelled.description || refused == "CancellationError()",
                    "the late write: \(refused ?? "-")")
            let values = try await dbos.rawSQL("SELECT value FROM dbos.streams WHERE workflow_uuid = 'late-1' ORDER BY \"offset\"")
            #expect(values.compactMap { $0.string("value") } == [#""before""#])
            #expect(try await dbos.getWorkflowStatus("late-1")?.state == .cancelled)
        }
    }

    /// Item 17: each of three steps writes one value from inside its body. A fork from step 3
    /// copies the values of steps 1 and 2 and writes step 3's again: `[0, 1, 2]`, not a duplicate.
    @Test(arguments: Backend.available)
    func aForkDoesNotDuplicateStreamValuesWrittenInSteps(backend: Backend) async throws {
        let writer = Workflow("stepWriter") { () async throws -> Int in
            for index in 0..<3 {
                _ = try await DBOS.step("write \(index)") { () async throws -> Int in
                    try await DBOS.write(index, toStream: "log")
                    return index
                }
            }
            return 3
        }
        try await withRuntime(try await backend.freshDatabaseURL("stream-fork"), writer) { dbos in
            #expect(try await dbos.start(writer, options: WorkflowOptions(workflowID: "sw-1")).result() == 3)
            let forkID = try await dbos.fork("sw-1", fromStep: 3)
            #expect(try await dbos.retrieve(forkID, as: Int.self).result() == 3)
            for id in ["sw-1", forkID] {
                let rows = try await dbos.rawSQL("SELECT value, function_id FROM dbos.streams WHERE workflow_uuid = \(id) ORDER BY \"offset\"")
                #expect(rows.compactMap { $0.string("value") } == ["0", "1", "2"], "\(id)'s stream")
                #expect(rows.compactMap { $0.int("function_id") } == [1, 2, 3], "each value belongs to the step that wrote it")
            }
        }
    }
}

extension StreamWriteTests {
    /// Item 15: reading the stream of a workflow that does not exist fails at once, as in DBOS,
    /// instead of polling forever.
    @Test(arguments: Backend.available)
    func readingTheStreamOfAMissingWorkflowFails(backend: Backend) async throws {
        let nothing = Workflow("nothing") { () async throws -> Int in 0 }
        try await withRuntime(try await backend.freshDatabaseURL("stream-missing"), nothing) { dbos in
            await #expect(throws: DBOSError.self) {
                for try await _ in dbos.stream("log", of: "no-such-workflow", as: String.self) {}
            }
            do {
                for try await _ in dbos.stream("log", of: "no-such-workflow", as: String.self) {}
            } catch let error as DBOSError {
                #expect(error.code == .nonexistentWorkflow && error.workflowID == "no-such-workflow")
            }
        }
    }
}
