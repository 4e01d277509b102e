import Foundation
import NIOPosix
import SQLiteNIO

/// One stored chunk with its embedding.
struct IndexedChunk: Codable, Sendable {
    var document: String
    var chunk: Int
    var text: String
    var embedding: [Double]
    /// The embedding model that made `embedding`.
    var model: String
}

/// How many chunks one document has in the index.
struct IndexedDocument: Codable, Sendable, Equatable {
    var document: String
    var chunks: Int
    var contentHash: String
}

/// The search index: two tables in its own SQLite file, shared by every process on this machine.
///
/// ``store(document:contentHash:chunks:)`` replaces a document's rows in one transaction,
/// keyed by (document, chunk): running it again (a store step interrupted by a crash runs
/// again) leaves exactly the same rows, never duplicates.
struct VectorIndex: Sendable {
    let path: String

    /// Opens a connection for one operation (SQLite's own locking serializes writers, also
    /// across processes). Each connection gets its own thread: a connection waiting for the
    /// write lock blocks its thread, which must not be one the lock holder needs.
    private func withConnection<T: Sendable>(_ body: @Sendable (SQLiteConnection) async throws -> T) async throws -> T {
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        do {
            let connection = try await SQLiteConnection.open(storage: .file(path: path), threadPool: pool,
                                                             on: MultiThreadedEventLoopGroup.singleton.any())
            do {
                _ = try await connection.query("PRAGMA busy_timeout = 30000")
                let result = try await body(connection)
                try await connection.close()
                try await pool.shutdownGracefully()
                return result
            } catch {
                try? await connection.close()
                throw error
            }
        } catch {
            try? await pool.shutdownGracefully()
            throw error
        }
    }

    /// Creates the tables when missing (once, before a batch starts: switching the journal
    /// mode needs the database to itself).
    func prepare() async throws {
        try await withConnection { connection in
            _ = try await connection.query("PRAGMA journal_mode = WAL")
            _ = try await connection.query("""
                CREATE TABLE IF NOT EXISTS documents (document TEXT PRIMARY KEY, content_hash TEXT NOT NULL,
                    chunks INTEGER NOT NULL, indexed_at REAL NOT NULL)
                """)
            _ = try await connection.query("""
                CREATE TABLE IF NOT EXISTS chunks (document TEXT NOT NULL, chunk INTEGER NOT NULL, text TEXT NOT NULL,
                    embedding TEXT NOT NULL, model TEXT NOT NULL, PRIMARY KEY (document, chunk))
                """)
        }
    }

    /// Replaces `document`'s chunks with `chunks` (idempotent).
    func store(document: String, contentHash: String, chunks: [IndexedChunk]) async throws {
        let rows = try chunks.map { chunk in
            [SQLiteData.text(document), .integer(SQLiteInt64(chunk.chunk)), .text(chunk.text),
             .text(String(decoding: try JSONEncoder().encode(chunk.embedding), as: UTF8.self)), .text(chunk.model)]
        }
        try await withConnection { connection in
            _ = try await connection.query("BEGIN IMMEDIATE")
            do {
                _ = try await connection.query("DELETE FROM chunks WHERE document = ?1 AND chunk >= ?2",
                                               [.text(document), .integer(SQLiteInt64(chunks.count))])
                for row in rows {
                    _ = try await connection.query(
                        "INSERT OR REPLACE INTO chunks (document, chunk, text, embedding, model) VALUES (?1, ?2, ?3, ?4, ?5)", row)
                }
                _ = try await connection.query(
                    "INSERT OR REPLACE INTO documents (document, content_hash, chunks, indexed_at) VALUES (?1, ?2, ?3, ?4)",
                    [.text(document), .text(contentHash), .integer(SQLiteInt64(chunks.count)), .float(Date().timeIntervalSince1970)])
                _ = try await connection.query("COMMIT")
            } catch {
                _ = try? await connection.query("ROLLBACK")
                throw error
            }
        }
    }

    /// Every document with the number of chunk rows it actually has.
    func documents() async throws -> [IndexedDocument] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        return try await withConnection { connection in
            try await connection.query("""
                SELECT d.document, d.content_hash, (SELECT COUNT(*) FROM chunks c WHERE c.document = d.document) AS rows
                FROM documents d ORDER BY d.document
                """).map { row in
                IndexedDocument(document: row.column("document")?.string ?? "", chunks: Int(row.column("rows")?.integer ?? 0),
                                contentHash: row.column("content_hash")?.string ?? "")
            }
        }
    }

    /// Every chunk, for a brute-force similarity search.
    func allChunks() async throws -> [IndexedChunk] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        return try await withConnection { connection in
            try await connection.query("SELECT document, chunk, text, embedding, model FROM chunks ORDER BY document, chunk").map { row in
                IndexedChunk(
                    document: row.column("document")?.string ?? "", chunk: Int(row.column("chunk")?.integer ?? 0),
                    text: row.column("text")?.string ?? "",
                    embedding: (try? JSONDecoder().decode([Double].self, from: Data((row.column("embedding")?.string ?? "[]").utf8))) ?? [],
                    model: row.column("model")?.string ?? "")
            }
        }
    }
}
