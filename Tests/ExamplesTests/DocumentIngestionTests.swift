import DBOSTestSupport
import DBOS
import Foundation
import Testing

/// The document-ingestion story in real processes: a batch is SIGKILLed halfway, the rerun
/// resumes it, and every document ends up in the index exactly once.
@Suite struct DocumentIngestionTests {
    static let documentCount = 30
    static let colors = ["teal", "crimson", "amber", "indigo", "olive", "maroon", "ivory", "cobalt", "saffron", "jade"]

    /// The rows `document-ingestion status --json` prints.
    struct IndexedDocument: Decodable { var document: String; var chunks: Int }
    struct DocumentResult: Decodable { var name: String; var chunks: Int }

    /// `documentCount` documents of two paragraphs (two chunks) each, one distinct word per document.
    static func makeCorpus(in directory: URL) throws -> URL {
        let corpus = directory.appendingPathComponent("corpus", isDirectory: true)
        try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
        for index in 0..<documentCount {
            let word = "\(colors[index % colors.count])\(index)"
            let first = String(repeating: "Document \(index) describes the \(word) pipeline and its durable steps. ", count: 6)
            let second = String(repeating: "Operators of \(word) restart workers without losing progress. ", count: 6)
            try (first + "\n\n" + second).write(to: corpus.appendingPathComponent(String(format: "doc-%02d.md", index)),
                                                atomically: true, encoding: .utf8)
        }
        return corpus
    }

    @Test(arguments: Backend.available)
    func killedBatchResumesAndIndexesEachDocumentOnce(backend: Backend) async throws {
        let directory = try ScratchDirectory.fresh("ingestion")
        let corpus = try Self.makeCorpus(in: directory)
        let database = try await backend.freshDatabaseURL("ingest")
        let index = directory.appendingPathComponent("index.sqlite").path
        let storeLog = directory.appendingPathComponent("stores.txt").path
        let common = ["--database-url", database, "--index", index, "--store-log", storeLog]

        let first = try ChildProcess.start("document-ingestion", ["index", "--corpus", corpus.path, "--embed-delay-ms", "1000"] + common,
                                             in: directory)
        try await eventually("some documents to be stored") {
            guard first.isRunning else { throw TestFailure("the first run exited early:\n\(first.output)") }
            return lines(of: storeLog).count >= 5
        }
        first.kill(SIGKILL)
        #expect(try await first.waitForExit() == 128 + SIGKILL)
        let storedBeforeKill = lines(of: storeLog).count
        #expect(storedBeforeKill < Self.documentCount, "the batch was killed halfway (\(storedBeforeKill) stored)")

        let client = try await DBOSClient(databaseURL: database)
        let finishedBeforeKill = try await client.listWorkflows(ListWorkflowsFilter(name: "ingestDocument", status: [.success]))
            .map { try $0.decodedOutput(as: DocumentResult.self).name }

        let rerun = try await ChildProcess.run("document-ingestion", ["index"] + common, in: directory, separateErrors: false)
        #expect(rerun.status == 0, "\(rerun.output)")
        #expect(rerun.output.contains("Resuming unfinished batch"), "\(rerun.output)")
        #expect(rerun.output.contains("\(Self.documentCount) documents, \(2 * Self.documentCount) chunks"), "\(rerun.output)")
        let batches = try await client.listWorkflows(ListWorkflowsFilter(name: "ingestBatch"))
        await client.close()
        #expect(batches.count == 1 && batches.first?.state == .success, "the rerun finished the killed batch, not a new one")

        let status = try await ChildProcess.run("document-ingestion", ["status", "--index", index, "--json"], in: directory, separateErrors: false)
        let documents = try JSONDecoder().decode([IndexedDocument].self, from: Data(status.output.utf8))
        #expect(documents.count == Self.documentCount)
        #expect(documents.allSatisfy { $0.chunks == 2 }, "each document's chunks are stored exactly once: \(documents)")

        let stores = Dictionary(grouping: lines(of: storeLog), by: { $0 })
        #expect(stores.count == Self.documentCount)
        for name in finishedBeforeKill {
            #expect(stores["stored\t\(name)"]?.count == 1, "\(name) finished before the kill and was not indexed again")
        }
        #expect(lines(of: storeLog).count <= Self.documentCount + 10, "only documents in flight at the kill (at most 10) ran twice")

        let answer = try await ChildProcess.run("document-ingestion", ["query", "Who operates cobalt17?", "--database-url", database, "--index", index],
                                                 in: directory)
        #expect(answer.status == 0, "\(answer.output)")
        #expect(answer.output.contains("cobalt17") && answer.output.contains("doc-17.md"), "\(answer.output)")
    }
}
