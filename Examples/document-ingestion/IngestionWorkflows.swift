// The ingestion pipeline: a batch workflow enqueues one child workflow per document on a
// queue; each child reads, chunks, embeds and stores its document.
import AgentSupport
import DBOS
import Foundation

/// The queue every ingestion process listens to: at most 10 documents at once per process.
let ingestionQueue = Queue("document_ingestion", workerConcurrency: 10)

/// What to index, and where (recorded as the batch's input, so every worker and every
/// recovery uses the same settings).
struct BatchRequest: Codable, Sendable {
    var corpus: String
    var indexPath: String
    var embeddings: EmbeddingChoice
}

/// One document of a batch.
struct DocumentJob: Codable, Sendable {
    var path: String
    /// The document's name in the index (its path relative to the corpus).
    var name: String
    var indexPath: String
    var embeddings: EmbeddingChoice
}

/// The outcome of one document.
struct DocumentResult: Codable, Sendable {
    var name: String
    var chunks: Int
}

/// The outcome of a batch.
struct BatchReport: Codable, Sendable {
    var documents: [DocumentResult]
    var chunks: Int { documents.reduce(0) { $0 + $1.chunks } }
}

/// Set from the command line before launch; read by the steps.
enum Ingestion {
    /// Extra time per embedding call, to simulate a slow embedding service (and give a test
    /// time to kill the batch halfway).
    static let embedDelay = Setting<Duration>(.zero)
    /// A file that gets one line per executed store step (tests count it).
    static let storeLog = Setting<String?>(nil)
}

@Step(name: "listDocuments")
func listDocuments(_ corpus: String) async throws -> [String] {
    try Corpus.documents(in: corpus)
}

@Step(name: "readDocument")
func readDocument(_ path: String) async throws -> String {
    try String(contentsOfFile: path, encoding: .utf8)
}

@Step(name: "embedChunks")
func embedChunks(_ chunks: [String], _ embeddings: EmbeddingChoice) async throws -> [[Double]] {
    let model = try embeddings.model()
    var vectors: [[Double]] = []
    for chunk in chunks {
        if Ingestion.embedDelay.value > .zero { try await Task.sleep(for: Ingestion.embedDelay.value) }
        vectors.append(try await model.embed(chunk))
    }
    return vectors
}

/// Idempotent (it replaces the document's rows), so retrying a failed attempt is safe.
@Step(name: "storeChunks", retries: .exponential(maxAttempts: 5))
func storeChunks(_ job: DocumentJob, _ contentHash: String, _ chunks: [String], _ vectors: [[Double]]) async throws -> Int {
    let rows = chunks.indices.map {
        IndexedChunk(document: job.name, chunk: $0, text: chunks[$0], embedding: vectors[$0], model: job.embeddings.rawValue)
    }
    try await VectorIndex(path: job.indexPath).store(document: job.name, contentHash: contentHash, chunks: rows)
    appendLine("stored\t\(job.name)", to: Ingestion.storeLog.value)
    return rows.count
}

/// One document: read, chunk (pure code, so not a step), embed, store.
@Workflow(name: "ingestDocument")
func ingestDocument(_ job: DocumentJob) async throws -> DocumentResult {
    let text = try await readDocument(job.path)
    let chunks = Chunker.chunks(of: text)
    let vectors = try await embedChunks(chunks, job.embeddings)
    let stored = try await storeChunks(job, Chunker.contentHash(text), chunks, vectors)
    return DocumentResult(name: job.name, chunks: stored)
}

/// A batch: one child workflow per document on ``ingestionQueue``, then waits for all.
/// Recovery re-runs this body: enqueues replay from their records, finished children return
/// their recorded results, and only unfinished documents are indexed again.
@Workflow(name: "ingestBatch")
func ingestBatch(_ request: BatchRequest) async throws -> BatchReport {
    let paths = try await listDocuments(request.corpus)
    var handles: [WorkflowHandle<DocumentResult>] = []
    for path in paths {
        let job = DocumentJob(path: path, name: Corpus.name(of: path, in: request.corpus), indexPath: request.indexPath,
                              embeddings: request.embeddings)
        handles.append(try await ingestionQueue.enqueue($ingestDocument, job))
    }
    var results: [DocumentResult] = []
    for handle in handles {
        results.append(try await handle.result())
    }
    return BatchReport(documents: results)
}
