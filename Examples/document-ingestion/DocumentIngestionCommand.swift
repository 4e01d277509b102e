import UnixSignals
import AgentSupport
import ArgumentParser
import DBOS
import Foundation
import ServiceLifecycle

/// `document-ingestion`: index a folder through a durable queue, then ask questions.
@main
struct DocumentIngestionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "document-ingestion",
        abstract: "Index a folder of documents through a durable queue, then answer questions from the index.",
        discussion: """
            swift run document-ingestion                       # index the sample corpus (kill -9 it and rerun: it resumes)
            swift run document-ingestion query "How does recovery work?"
            swift run document-ingestion worker --database-url postgresql://...   # more processes sharing a batch
            """,
        subcommands: [Index.self, Worker.self, Query.self, Status.self],
        defaultSubcommand: Index.self)
}

/// Options of every subcommand.
struct IngestionOptions: ParsableArguments {
    @OptionGroup var example: ExampleOptions

    @Option(help: "The index file (SQLite), shared by every process on this machine.")
    var index = "document-ingestion-index.sqlite"

    var indexPath: String { URL(fileURLWithPath: index).standardizedFileURL.path }

    /// A runtime with every workflow and the queue registered (the same set in every
    /// subcommand, so all processes share one application version).
    func runtime() throws -> DBOS {
        Answering.model.set(try example.languageModel(script: AnswerScript.model))
        let dbos = try DBOS(config: example.config(name: "document-ingestion"))
        try dbos.register($ingestBatch, $ingestDocument, $answerQuestion)
        try dbos.register(queues: ingestionQueue)
        dbos.registerError(CorpusError.self)
        return dbos
    }

    /// ``runtime()``, launched (for the one-shot subcommands).
    func launch() async throws -> DBOS {
        let dbos = try runtime()
        try await dbos.launch()
        return dbos
    }
}

/// Writes a line to stderr and exits non-zero.
func fail(_ message: String) -> ExitCode {
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    return ExitCode.failure
}

extension DocumentIngestionCommand {
    /// `document-ingestion index`: start a batch, or finish the one a killed run left.
    struct Index: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Index a folder (or resume the unfinished batch of an earlier run).")

        @OptionGroup var options: IngestionOptions

        @Option(help: "The folder of .md/.txt documents (default: the sample corpus).")
        var corpus: String?

        @Option(help: "The embedding model: hashed (local, default) or openai (OPENAI_EMBEDDING_MODEL).")
        var embeddings: EmbeddingChoice = .hashed

        @Option(help: "Extra milliseconds per embedding call (simulates a slow embedding service).")
        var embedDelayMs = 0

        @Option(help: "Append one line per executed store step to this file.")
        var storeLog: String?

        func run() async throws {
            Ingestion.embedDelay.set(.milliseconds(embedDelayMs))
            Ingestion.storeLog.set(storeLog)
            let dbos = try await options.launch()
            do {
                let id = try await batchToRun(dbos)
                let report = try await dbos.retrieve(id, as: BatchReport.self).result()
                let indexed = try await VectorIndex(path: options.indexPath).documents()
                print("Batch \(id) done: \(report.documents.count) documents, \(report.chunks) chunks; the index \(options.index) holds \(indexed.count) documents.")
                await dbos.shutdown()
            } catch {
                await dbos.shutdown()
                throw fail("\(error)")
            }
        }

        private func batchToRun(_ dbos: DBOS) async throws -> String {
            let unfinished = try await dbos.listWorkflows(ListWorkflowsFilter(name: $ingestBatch.name, status: [.pending, .enqueued],
                                                                              loadPayloads: false))
            if let batch = unfinished.first {
                let done = try await dbos.listWorkflows(ListWorkflowsFilter(status: [.success], parentWorkflowID: batch.workflowID,
                                                                            loadPayloads: false))
                print("Resuming unfinished batch \(batch.workflowID): \(done.count) documents were already indexed.")
                return batch.workflowID
            }
            let folder = URL(fileURLWithPath: corpus ?? Self.sampleCorpus).standardizedFileURL.path
            let count = try Corpus.documents(in: folder).count
            try await VectorIndex(path: options.indexPath).prepare()
            let id = "batch-\(UUID().uuidString.prefix(8).lowercased())"
            print("Batch \(id): indexing \(count) documents from \(folder) into \(options.index) (queue \(ingestionQueue.name), 10 at a time per process)")
            _ = try await dbos.start($ingestBatch, BatchRequest(corpus: folder, indexPath: options.indexPath, embeddings: embeddings),
                                     options: WorkflowOptions(workflowID: id))
            return id
        }

        /// `Examples/document-ingestion/corpus`, found from the current directory or next to this source file.
        static var sampleCorpus: String {
            let relative = "Examples/document-ingestion/corpus"
            if FileManager.default.fileExists(atPath: relative) { return relative }
            return URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("corpus").path
        }
    }

    /// `document-ingestion worker`: run queued documents until stopped (SIGTERM, SIGINT).
    struct Worker: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Process queued documents of any batch until stopped; start several on PostgreSQL (each with its own DBOS__VMID).")

        @OptionGroup var options: IngestionOptions

        @Option(help: "Extra milliseconds per embedding call (simulates a slow embedding service).")
        var embedDelayMs = 0

        @Option(help: "Append one line per executed store step to this file.")
        var storeLog: String?

        func run() async throws {
            Ingestion.embedDelay.set(.milliseconds(embedDelayMs))
            Ingestion.storeLog.set(storeLog)
            // The runtime is the service: SIGTERM lets running steps finish; the rest stays queued.
            let dbos = try options.runtime()
            let group = ServiceGroup(services: [dbos], gracefulShutdownSignals: [.sigterm, .sigint], logger: dbos.config.logger)
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                _ = try await dbos.waitUntilLaunched()
                printNow("Worker \(dbos.executorID) on \(dbos.backendName) listening to queue \(ingestionQueue.name)")
                try await tasks.waitForAll()
            }
        }
    }

    /// `document-ingestion query QUESTION`.
    struct Query: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Answer a question from the index.")

        @OptionGroup var options: IngestionOptions

        @Argument(help: "The question.")
        var question: String

        @Option(help: "How many chunks to retrieve.")
        var top = 3

        func run() async throws {
            guard top > 0 else { throw ValidationError("--top must be at least 1, not \(top)") }
            let dbos = try await options.launch()
            do {
                let answer = try await dbos.run($answerQuestion, QuestionRequest(question: question, indexPath: options.indexPath, top: top))
                print(answer.text)
                print("\nSources:")
                for source in answer.sources {
                    print("  \(String(format: "%.3f", source.score))  \(source.document) #\(source.chunk)")
                }
                await dbos.shutdown()
            } catch {
                await dbos.shutdown()
                throw fail("\(error)")
            }
        }
    }

    /// `document-ingestion status`: the documents in the index.
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the indexed documents and their chunk rows.")

        @Option(help: "The index file (SQLite).")
        var index = "document-ingestion-index.sqlite"

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            let documents = try await VectorIndex(path: URL(fileURLWithPath: index).standardizedFileURL.path).documents()
            if json {
                let data = try JSONEncoder().encode(documents)
                print(String(decoding: data, as: UTF8.self))
            } else {
                for document in documents { print("\(document.chunks) chunks  \(document.document)") }
                print("\(documents.count) documents")
            }
        }
    }
}
