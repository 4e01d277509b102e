import Foundation
import Logging
import NIOCore
import NIOPosix
import SQLiteNIO
import Synchronization

/// SQLite behind ``SQLDriver``: WAL mode, one writer connection with group commit,
/// one reader connection.
///
/// Writes are queued; the writer takes everything queued, runs it in one
/// `BEGIN IMMEDIATE ... COMMIT` (each unit inside its own savepoint, so one failing unit
/// does not undo the others) and only then resumes the callers. With `synchronous=FULL`
/// one fsync therefore covers every checkpoint that arrived while the previous commit ran.
final class SQLiteDriver: SQLDriver {
    let dialect = SQLDialect(kind: .sqlite, prefix: "")
    private let writer: SQLiteConnection
    private let reader: SQLiteConnection
    private let batcher: WriteBatcher
    let path: String

    /// Durability of a commit (`PRAGMA synchronous`).
    enum Synchronous: String, Sendable { case full = "FULL", normal = "NORMAL" }

    /// Each connection has a thread of its own: a connection waiting on SQLite's busy timeout
    /// blocks its thread, and must not starve the connection that holds the lock.
    private let threadPools: [NIOThreadPool]

    private init(path: String, writer: SQLiteConnection, reader: SQLiteConnection, threadPools: [NIOThreadPool]) {
        self.path = path
        self.writer = writer
        self.reader = reader
        self.threadPools = threadPools
        self.batcher = WriteBatcher(connection: writer)
    }

    /// How long a statement waits for another connection's write lock before failing with
    /// "database is locked": long enough for several processes on one busy machine.
    static let busyTimeoutMilliseconds = 30_000

    static func open(path: String, synchronous: Synchronous, logger: Logger) async throws -> SQLiteDriver {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) {
            throw DBOSError.databaseUnreachable(url: "sqlite://\(path)", reason: "directory '\(directory)' does not exist")
        }
        let pools = [NIOThreadPool(numberOfThreads: 1), NIOThreadPool(numberOfThreads: 1)]
        for pool in pools { pool.start() }
        do {
            let eventLoop = MultiThreadedEventLoopGroup.singleton.any()
            let writer = try await SQLiteConnection.open(storage: .file(path: path), threadPool: pools[0], logger: logger, on: eventLoop)
            let reader = try await SQLiteConnection.open(storage: .file(path: path), threadPool: pools[1], logger: logger, on: eventLoop)
            for connection in [writer, reader] {
                _ = try await connection.query("PRAGMA busy_timeout = \(busyTimeoutMilliseconds)")
                _ = try await connection.query("PRAGMA foreign_keys = ON")
            }
            _ = try await writer.query("PRAGMA journal_mode = WAL")
            _ = try await writer.query("PRAGMA synchronous = \(synchronous.rawValue)")
            return SQLiteDriver(path: path, writer: writer, reader: reader, threadPools: pools)
        } catch let error as DBOSError {
            for pool in pools { try? await pool.shutdownGracefully() }
            throw error
        } catch {
            for pool in pools { try? await pool.shutdownGracefully() }
            throw DBOSError.databaseUnreachable(url: "sqlite://\(path)", reason: "\(error)")
        }
    }

    func read(_ statement: SQLStatement) async throws -> [SQLRow] {
        try await Self.run(statement, on: reader)
    }

    func write(_ statement: SQLStatement) async throws -> [SQLRow] {
        try await batcher.submit { executor in try await executor.execute(statement) }
    }

    func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLExecutor) async throws -> T) async throws -> T {
        try await batcher.submit(body)
    }

    func executeScript(_ statements: [String]) async throws {
        try await batcher.submit { executor in
            for statement in statements { _ = try await executor.execute(SQLStatement(statement)) }
        }
    }

    func close() async {
        guard closed.withLock({ closed in defer { closed = true }; return !closed }) else { return }
        await batcher.drain()
        try? await writer.close()
        try? await reader.close()
        for pool in threadPools { try? await pool.shutdownGracefully() }
    }

    private let closed = Mutex(false)

    deinit {
        // A runtime dropped without shutdown() still releases its file handles.
        if !closed.withLock({ $0 }) {
            let pools = threadPools
            _ = writer.close().and(reader.close()).always { _ in
                for pool in pools { pool.shutdownGracefully { _ in } }
            }
        }
    }

    var fallbackPollInterval: Duration { .seconds(1) }

    /// Watches `PRAGMA data_version`, which changes whenever another connection (of this or
    /// another process) commits: the cross-process wake-up for SQLite.
    func runChangeFeed(channels: [String], _ onSignal: @escaping @Sendable (String?, String) -> Void) async {
        var last: Int64?
        while !Task.isCancelled {
            if let rows = try? await Self.run(SQLStatement("PRAGMA data_version"), on: reader),
               let version = rows.first?.columns.values.first?.int {
                if let last, last != version { onSignal(nil, "") }
                last = version
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    static func run(_ statement: SQLStatement, on connection: SQLiteConnection) async throws -> [SQLRow] {
        let binds = statement.binds.map(Self.bind)
        let collected = RowCollector()
        do {
            try await connection.query(sqliteSQL(statement.sql), binds) { row in collected.append(row) }
        } catch {
            let message = "\(error)"
            let kind: SQLFailure.Kind =
                message.contains("UNIQUE constraint failed") || message.contains("PRIMARY KEY") ? .uniqueViolation
                : message.contains("FOREIGN KEY constraint failed") ? .foreignKeyViolation : .other
            throw SQLFailure(kind: kind, message: message, sql: statement.sql)
        }
        return collected.rows.map(Self.convert)
    }

    /// `$1` -> `?1`: SQLite numbers `$name` parameters by first appearance, `?N` by N.
    static func sqliteSQL(_ sql: String) -> String {
        guard sql.contains("$") else { return sql }
        var result = ""
        result.reserveCapacity(sql.count)
        var previous: Character = " "
        for character in sql {
            if previous == "$", character.isNumber { result.removeLast(); result.append("?") }
            result.append(character)
            previous = character
        }
        return result
    }

    private static func bind(_ value: SQLValue) -> SQLiteData {
        switch value {
        case .null: return .null
        case .int(let value): return .integer(Int(value))
        case .double(let value): return .float(value)
        case .text(let value): return .text(value)
        case .bool(let value): return .integer(value ? 1 : 0)
        }
    }

    private static func convert(_ row: SQLiteRow) -> SQLRow {
        var columns: [String: SQLValue] = [:]
        for column in row.columns {
            switch column.data {
            case .integer(let value): columns[column.name] = .int(Int64(value))
            case .float(let value): columns[column.name] = .double(value)
            case .text(let value): columns[column.name] = .text(value)
            case .blob(let buffer): columns[column.name] = .text(String(buffer: buffer))
            case .null: columns[column.name] = .null
            }
        }
        return SQLRow(columns: columns)
    }
}

private final class RowCollector: Sendable {
    private let storage = Mutex<[SQLiteRow]>([])
    func append(_ row: SQLiteRow) { storage.withLock { $0.append(row) } }
    var rows: [SQLiteRow] { storage.withLock { $0 } }
}

/// Runs statements on the writer connection inside the current batch's transaction.
private struct SQLiteExecutor: SQLExecutor {
    let connection: SQLiteConnection
    func execute(_ statement: SQLStatement) async throws -> [SQLRow] {
        try await SQLiteDriver.run(statement, on: connection)
    }
}

/// Group commit: collects write units and commits all that are waiting in one transaction.
private final class WriteBatcher: Sendable {
    /// A queued unit: `run` reports whether the unit succeeded (a failed unit's savepoint is
    /// rolled back); `finish` is called after the batch's COMMIT with the commit's error, if any.
    private struct Job: Sendable {
        let run: @Sendable (any SQLExecutor) async -> Bool
        let finish: @Sendable ((any Error)?) -> Void
    }

    private struct State {
        var jobs: [Job] = []
        var flushing = false
        var idleWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let connection: SQLiteConnection
    private let state = Mutex(State())

    init(connection: SQLiteConnection) { self.connection = connection }

    func submit<T: Sendable>(_ body: @escaping @Sendable (any SQLExecutor) async throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let outcome = ResultBox<T>()
            let job = Job(
                run: { executor in
                    do {
                        outcome.set(.success(try await body(executor)))
                        return true
                    } catch {
                        outcome.set(.failure(error))
                        return false
                    }
                },
                finish: { commitError in
                    if let commitError { continuation.resume(throwing: commitError); return }
                    continuation.resume(with: outcome.get() ?? .failure(DBOSError.databaseError(operation: "write", reason: "unit did not run")))
                })
            let startFlush = state.withLock { state in
                state.jobs.append(job)
                if state.flushing { return false }
                state.flushing = true
                return true
            }
            if startFlush { Task { await self.flushLoop() } }
        }
    }

    private func flushLoop() async {
        while true {
            let batch: [Job] = state.withLock { state in
                let taken = state.jobs
                state.jobs.removeAll(keepingCapacity: true)
                if taken.isEmpty {
                    state.flushing = false
                    for waiter in state.idleWaiters { waiter.resume() }
                    state.idleWaiters.removeAll()
                }
                return taken
            }
            if batch.isEmpty { return }
            let commitError = await commit(batch)
            for job in batch { job.finish(commitError) }
        }
    }

    /// Runs one batch in one transaction; with several units, each in a savepoint of its own.
    private func commit(_ batch: [Job]) async -> (any Error)? {
        let executor = SQLiteExecutor(connection: connection)
        do {
            _ = try await connection.query("BEGIN IMMEDIATE")
        } catch {
            return DBOSError.databaseError(operation: "begin transaction", reason: "\(error)")
        }
        if batch.count == 1 {
            if await batch[0].run(executor) == false {
                _ = try? await connection.query("ROLLBACK")
                return nil
            }
        } else {
            for job in batch {
                do {
                    _ = try await connection.query("SAVEPOINT unit")
                    if await job.run(executor) {
                        _ = try await connection.query("RELEASE unit")
                    } else {
                        _ = try await connection.query("ROLLBACK TO unit")
                        _ = try await connection.query("RELEASE unit")
                    }
                } catch {
                    _ = try? await connection.query("ROLLBACK")
                    return DBOSError.databaseError(operation: "savepoint", reason: "\(error)")
                }
            }
        }
        do {
            _ = try await connection.query("COMMIT")
            return nil
        } catch {
            _ = try? await connection.query("ROLLBACK")
            return DBOSError.databaseError(operation: "commit", reason: "\(error)")
        }
    }

    /// Waits until every queued unit is committed.
    func drain() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let idle = state.withLock { state in
                if !state.flushing { return true }
                state.idleWaiters.append(continuation)
                return false
            }
            if idle { continuation.resume() }
        }
    }
}

/// A thread-safe holder of one result.
final class ResultBox<T: Sendable>: Sendable {
    private let storage = Mutex<Result<T, any Error>?>(nil)
    func set(_ result: Result<T, any Error>) { storage.withLock { $0 = result } }
    func get() -> Result<T, any Error>? { storage.withLock { $0 } }
}
