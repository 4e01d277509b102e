import Foundation
import Logging
import NIOCore
import NIOPosix
import SQLiteNIO
import Synchronization

/// SQLite behind ``SQLDriver``: WAL mode, one writer connection with group commit
/// (``SQLiteWriter``), one reader connection.
final class SQLiteDriver: SQLDriver {
    let dialect = SQLDialect.sqlite
    let path: String
    private let synchronous: Synchronous
    private let busyTimeout: Duration
    private let logger: Logger
    private let metrics: RuntimeMetrics
    private let connections = Mutex<Connections?>(nil)
    /// Writes wait here until ``open()`` has connected and ``run()`` commits them.
    private let writerReady = Latch<SQLiteWriter>()

    /// Durability of a commit (`PRAGMA synchronous`).
    enum Synchronous: String, Sendable { case full = "FULL", normal = "NORMAL" }

    private struct Connections {
        let writer: SQLiteConnection
        let reader: SQLiteConnection
        let sqliteWriter: SQLiteWriter
        /// Each connection has a thread of its own: a connection waiting on SQLite's busy
        /// timeout blocks its thread, and must not starve the connection that holds the lock.
        let threadPools: [NIOThreadPool]
    }

    /// How long a statement waits, by default, for another connection's write lock before
    /// failing with "database is locked": long enough for several processes on one busy machine.
    static let defaultBusyTimeout = Duration.seconds(30)

    /// Remembers where the file is; opens nothing until ``open()``.
    init(path: String, synchronous: Synchronous, busyTimeout: Duration = SQLiteDriver.defaultBusyTimeout, logger: Logger,
         metrics: RuntimeMetrics = RuntimeMetrics(configured: nil)) {
        self.metrics = metrics
        self.path = path
        self.synchronous = synchronous
        self.busyTimeout = busyTimeout
        self.logger = logger
    }

    func open(creating: Bool, listening: Bool) async throws {
        if !creating && !FileManager.default.fileExists(atPath: path) {
            throw DBOSError.databaseUnreachable(url: "sqlite://\(path)", reason: "the file does not exist, and this process does not create it")
        }
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
            // SQLite takes the timeout as a C int of milliseconds.
            let busyMilliseconds = min(max(busyTimeout.milliseconds, 0), Int64(Int32.max))
            for connection in [writer, reader] {
                _ = try await connection.query("PRAGMA busy_timeout = \(busyMilliseconds)")
                _ = try await connection.query("PRAGMA foreign_keys = ON")
            }
            _ = try await writer.query("PRAGMA journal_mode = WAL")
            _ = try await writer.query("PRAGMA synchronous = \(synchronous.rawValue)")
            let opened = Connections(writer: writer, reader: reader, sqliteWriter: SQLiteWriter(connection: writer, metrics: metrics), threadPools: pools)
            connections.withLock { $0 = opened }
            writerReady.open(opened.sqliteWriter)
        } catch {
            for pool in pools { try? await pool.shutdownGracefully() }
            throw DBOSError.databaseUnreachable(url: "sqlite://\(path)", reason: "\(error)")
        }
    }

    /// Runs the group-commit loop once the database is open, until cancelled.
    func run() async {
        guard let writer = await writerReady.value else { return }
        await writer.run()
    }

    private var opened: Connections {
        get throws {
            guard let opened = connections.withLock({ $0 }) else {
                throw DBOSError.databaseError(operation: "query", reason: "the SQLite system database is not open")
            }
            return opened
        }
    }

    func read(_ query: SQLQuery) async throws -> [SQLRow] {
        try await Self.run(query, on: try opened.reader)
    }

    func write(_ query: SQLQuery) async throws -> [SQLRow] {
        try await opened.sqliteWriter.submit { executor in try await executor.execute(query) }
    }

    func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLExecutor) async throws -> T) async throws -> T {
        try await opened.sqliteWriter.submit(body)
    }

    func close() async {
        writerReady.open(nil)
        guard let opened = connections.withLock({ current -> Connections? in
            defer { current = nil }
            return current
        }) else { return }
        await opened.sqliteWriter.drain()
        try? await opened.writer.close()
        try? await opened.reader.close()
        for pool in opened.threadPools { try? await pool.shutdownGracefully() }
    }

    deinit {
        // A driver dropped without close() still releases its file handles.
        if let opened = connections.withLock({ $0 }) {
            let pools = opened.threadPools
            _ = opened.writer.close().and(opened.reader.close()).always { _ in
                for pool in pools { pool.shutdownGracefully { _ in } }
            }
        }
    }

    var fallbackPollInterval: Duration { .seconds(1) }

    /// Watches `PRAGMA data_version`, which changes whenever another connection (of this or
    /// another process) commits: the cross-process wake-up for SQLite.
    func runChangeFeed(channels: [ChangeChannel], _ onSignal: @escaping @Sendable (ChangeChannel?, String) -> Void) async {
        var last: Int64?
        while !Task.isCancelled {
            if let reader = try? opened.reader, let rows = try? await Self.run("PRAGMA data_version", on: reader),
               let version = try? rows.first?.decode("data_version", as: Int64.self) {
                if let last, last != version { onSignal(nil, "") }
                last = version
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    static func run(_ query: SQLQuery, on connection: SQLiteConnection) async throws -> [SQLRow] {
        let collected = RowCollector()
        do {
            try await connection.query(query.sql { "?" + String($0) }, query.binds.map(Self.bind)) { row in collected.append(row) }
        } catch {
            throw databaseError(error, during: query.source)
        }
        return collected.rows.map { convert($0, query: query) }
    }

    /// A failed SQLite call as ``DBOSError``, classified by SQLite's message.
    static func databaseError(_ error: any Error, during operation: String) -> DBOSError {
        let message = "\(error)"
        let failure: DatabaseFailure =
            message.contains("UNIQUE constraint failed") || message.contains("PRIMARY KEY") ? .uniqueViolation
            : message.contains("FOREIGN KEY constraint failed") ? .foreignKeyViolation
            : message.contains("database is locked") || message.contains("database table is locked")
                || message.contains("busy") ? .busy
            : .other
        return DBOSError.databaseError(operation: operation, reason: message, failure: failure)
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

    private static func convert(_ row: SQLiteRow, query: SQLQuery) -> SQLRow {
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
        return SQLRow(columns: columns, query: query)
    }
}

private final class RowCollector: Sendable {
    private let storage = Mutex<[SQLiteRow]>([])
    func append(_ row: SQLiteRow) { storage.withLock { $0.append(row) } }
    var rows: [SQLiteRow] { storage.withLock { $0 } }
}
