import Foundation
import Logging
import NIOCore
import PostgresNIO
import Synchronization

/// PostgreSQL behind ``SQLDriver``: a postgres-nio `PostgresClient` connection pool, driven by
/// ``run()`` in the owner's task group.
final class PostgresDriver: SQLDriver {
    let dialect: SQLDialect
    private let client: PostgresClient
    private let location: DatabaseURL.PostgresLocation
    private let settings: PostgresConnectionSettings
    private let logger: Logger
    /// The connection ``open(creating:listening:)`` checked the database with, kept for the
    /// change feed's first LISTEN (a session fewer per launch) until the feed takes it or
    /// ``close()`` closes it.
    private let keptConnection = Mutex<PostgresConnection?>(nil)

    /// Prepares the pool; connects nothing until ``run()`` and ``open()``.
    init(_ location: DatabaseURL.PostgresLocation, schema: String, maxConnections: Int, logger: Logger) {
        settings = PostgresConnectionSettings(location)
        self.client = PostgresClient(configuration: settings.clientConfiguration(maxConnections: maxConnections), backgroundLogger: logger)
        self.location = location
        self.logger = logger
        self.dialect = .postgres(schema: schema)
    }

    func run() async {
        await client.run()
    }

    func open(creating: Bool, listening: Bool) async throws {
        let checked = try await connectToSystemDatabase(creating: creating)
        if listening {
            keptConnection.withLock { $0 = checked }
        } else {
            try? await checked.close()
        }
        do {
            _ = try await read("SELECT 1 AS ok")
        } catch {
            throw DBOSError.databaseUnreachable(url: description, reason: "\(error)")
        }
    }

    func close() async {
        try? await takeKeptConnection()?.close()
    }

    private func takeKeptConnection() -> PostgresConnection? {
        keptConnection.withLock { kept in
            defer { kept = nil }
            return kept
        }
    }

    private var description: String { DatabaseURL.postgres(location).description }

    /// The database connected to when the system database does not exist, to create it.
    private static let maintenanceDatabase = "postgres"

    /// A single connection (not from the pool) to `database`, with the pool's settings.
    private func connect(to database: String, id: Int) async throws -> PostgresConnection {
        try await PostgresConnection.connect(configuration: settings.connectionConfiguration(database: database), id: id, logger: logger)
    }

    /// A direct connection (not from the pool) to the system database, which also checks it:
    /// unlike the pool, which would keep retrying to connect, it fails at once when the database
    /// does not exist (unless `creating`), or with the server's reason (network, TLS,
    /// authentication).
    ///
    /// With `creating`, a missing system database is created, without needing more than the
    /// system database itself when it exists. Behind PgBouncer or on a managed service the role
    /// may be unable to reach the `postgres` maintenance database, so that is tried only when
    /// connecting to the system database fails with "database does not exist" (SQLSTATE
    /// 3D000). The database is then created through the maintenance database (a creation by
    /// another process at the same time is fine). When the maintenance database cannot be
    /// reached either, a warning is logged and the system database is tried once more (maybe
    /// created meanwhile), whose error then says what is wrong: DBOS Python (3.4) likewise warns
    /// "could not connect to postgres database" and continues. A role that reaches the
    /// maintenance database but may not create databases gets the server's refusal.
    private func connectToSystemDatabase(creating: Bool) async throws -> PostgresConnection {
        do {
            return try await connect(to: location.database, id: 0)
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "3D000" {
            guard creating else {
                throw DBOSError.databaseUnreachable(url: description, reason: "the database does not exist, and this process does not create it")
            }
        } catch let error as DBOSError {
            throw error
        } catch {
            throw DBOSError.databaseUnreachable(url: description, reason: describe(error))
        }
        let maintenanceError = try await createSystemDatabase()
        do {
            return try await connect(to: location.database, id: 0)
        } catch let error as DBOSError {
            throw error
        } catch {
            guard let maintenanceError else { throw DBOSError.databaseUnreachable(url: description, reason: describe(error)) }
            throw DBOSError.databaseUnreachable(url: description, reason: """
                \(describe(error)); it could not be created: the maintenance database '\(Self.maintenanceDatabase)' \
                cannot be reached (\(maintenanceError)); create the database beforehand
                """)
        }
    }

    /// Creates the system database through the maintenance database. Returns nil once it exists
    /// (created here or by another process); when the maintenance database cannot be reached,
    /// logs a warning and returns why. Throws the server's refusal to create it.
    private func createSystemDatabase() async throws -> String? {
        let maintenance: PostgresConnection
        do {
            maintenance = try await connectToMaintenanceDatabase()
        } catch {
            let maintenanceError = describe(error)
            logger.warning("the system database does not exist and the maintenance database cannot be reached to create it; continuing", metadata: [
                "database": "\(location.database)", "maintenanceDatabase": "\(Self.maintenanceDatabase)", "error": "\(maintenanceError)",
            ])
            return maintenanceError
        }
        do {
            let create: SQLQuery = "CREATE DATABASE \(SQLFragment(identifier: location.database))"
            try await maintenance.query(Self.postgresQuery(create), logger: logger)
            logger.info("created system database", metadata: ["database": "\(location.database)"])
        } catch let error as PSQLError where ["42P04", "23505"].contains(error.serverInfo?[.sqlState]) {
            // Created concurrently by another process.
        } catch {
            try? await maintenance.close()
            throw DBOSError.databaseUnreachable(url: description, reason: "the database does not exist and cannot be created: \(describe(error))")
        }
        try? await maintenance.close()
        return nil
    }

    /// A connection to the maintenance database. The server has just answered for the system
    /// database, so a connection that fails without the server's answer (a connect timeout on a
    /// loaded machine, a reset) is tried twice more before it counts; a refusal does not.
    private func connectToMaintenanceDatabase() async throws -> PostgresConnection {
        var attempt = 1
        while true {
            do {
                return try await connect(to: Self.maintenanceDatabase, id: 0)
            } catch let error as PSQLError where error.serverInfo?[.sqlState] == nil && attempt < 3 {
                logger.debug("connecting to the maintenance database failed; trying again", metadata: ["error": "\(describe(error))"])
                attempt += 1
                try await Task.sleep(for: .milliseconds(200 * attempt))
            }
        }
    }

    /// A connection failure for an error message: the server's message and SQLSTATE when it
    /// answered, postgres-nio's description otherwise.
    private func describe(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            if let state = error.serverInfo?[.sqlState] { return "\(error.serverInfo?[.message] ?? "") (SQLSTATE \(state))" }
            if error.code == .sslUnsupported { return "the server does not accept TLS, which sslmode=\(location.sslMode.rawValue) requires" }
            if error.code == .connectionError, let underlying = error.underlying {
                return "cannot connect: \(String(reflecting: underlying))"
            }
        }
        return String(reflecting: error)
    }

    func read(_ query: SQLQuery) async throws -> [SQLRow] {
        try await Self.run(query) { try await client.query($0, logger: logger) }
    }

    /// A write, answered once it is committed. postgres-nio reports a statement done at its
    /// CommandComplete, before the implicit transaction commits (at ReadyForQuery): a server
    /// that stops in between (found by the chaos test with `pg_ctl stop -m immediate`) leaves a
    /// reported success that was never committed. A second statement on the same connection
    /// runs only after that commit, so its answer confirms it: one more round trip (no
    /// transaction, no WAL), where an explicit BEGIN/COMMIT costs two.
    func write(_ query: SQLQuery) async throws -> [SQLRow] {
        do {
            return try await client.withConnection { connection in
                let rows = try await Self.run(query) { try await connection.query($0, logger: self.logger) }
                do {
                    try await connection.query("SELECT 1", logger: self.logger)
                } catch {
                    throw Self.databaseError(error, during: "confirming a commit")
                }
                return rows
            }
        } catch let error as DBOSError {
            throw error
        } catch {
            throw Self.databaseError(error, during: "write")
        }
    }

    func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLExecutor) async throws -> T) async throws -> T {
        do {
            return try await client.withTransaction(logger: logger) { connection in
                try await body(PostgresExecutor(connection: connection, logger: self.logger))
            }
        } catch let error as PostgresTransactionError {
            let cause = error.closureError ?? error.beginError ?? error.commitError ?? error
            if cause is DBOSError { throw cause }
            throw Self.databaseError(cause, during: "transaction")
        }
    }

    var fallbackPollInterval: Duration { .seconds(1) }

    /// LISTENs on `channels` over a dedicated connection (first the one ``open(creating:listening:)``
    /// kept), reconnecting with backoff after a loss (and then signalling a change of unknown
    /// scope, since notifications may have been missed).
    func runChangeFeed(channels: [ChangeChannel], _ onSignal: @escaping @Sendable (ChangeChannel?, String) -> Void) async {
        var backoff = Duration.milliseconds(100)
        var connectedBefore = false
        while !Task.isCancelled {
            do {
                let kept = takeKeptConnection()
                let connection = if let kept { kept } else { try await connect(to: location.database, id: 1) }
                do {
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for channel in channels {
                            group.addTask {
                                try await connection.listen(on: channel.rawValue) { notifications in
                                    for try await notification in notifications { onSignal(channel, notification.payload) }
                                }
                            }
                        }
                        if connectedBefore { onSignal(nil, "") }
                        connectedBefore = true
                        backoff = .milliseconds(100)
                        try await group.next()
                        group.cancelAll()
                    }
                    try? await connection.close()
                } catch {
                    try? await connection.close()
                    throw error
                }
            } catch {
                if Task.isCancelled { return }
                logger.warning("notification listener lost its connection; reconnecting", metadata: ["error": "\(String(reflecting: error))"])
            }
            try? await Task.sleep(for: backoff)
            backoff = min(backoff * 2, .seconds(5))
        }
    }

    /// postgres-nio's query for ours: the SQL text holds only `$N` placeholders (never a value),
    /// the values travel as binds.
    static func postgresQuery(_ query: SQLQuery) -> PostgresQuery {
        var bindings = PostgresBindings(capacity: query.binds.count)
        for value in query.binds {
            switch value {
            case .null: bindings.appendNull()
            case .int(let value): bindings.append(value)
            case .double(let value): bindings.append(value)
            case .text(let value): bindings.append(value)
            case .bool(let value): bindings.append(value)
            }
        }
        return PostgresQuery(unsafeSQL: query.sql { "$" + String($0) }, binds: bindings)
    }

    static func run(_ query: SQLQuery, _ send: (PostgresQuery) async throws -> PostgresRowSequence) async throws -> [SQLRow] {
        do {
            var rows: [SQLRow] = []
            for try await row in try await send(postgresQuery(query)) {
                var columns: [String: SQLValue] = [:]
                for cell in row { columns[cell.columnName] = try convert(cell) }
                rows.append(SQLRow(columns: columns, query: query))
            }
            return rows
        } catch let error as DBOSError {
            throw error
        } catch {
            throw databaseError(error, during: query.source)
        }
    }

    /// A failed statement as ``DBOSError``, classified: by SQLSTATE for the server's errors, by
    /// postgres-nio's code for the connection's.
    static func databaseError(_ error: any Error, during operation: String) -> DBOSError {
        guard let error = error as? PSQLError else {
            // Errors of the pool or of the network below it (no connection could be had).
            let text = String(reflecting: error)
            let closing = text.contains("poolShutdown") || text.contains("requestCancelled")
            return DBOSError.databaseError(operation: operation, reason: text, failure: closing ? .other : .unavailable)
        }
        guard let state = error.serverInfo?[.sqlState] else {
            // A connection the server closed (or whose closing the client saw first), or none to be had.
            let lost: [PSQLError.Code] = [.connectionError, .serverClosedConnection, .uncleanShutdown, .clientClosedConnection]
            let failure: DatabaseFailure = lost.contains(error.code) ? .unavailable : .other
            return DBOSError.databaseError(operation: operation, reason: String(reflecting: error), failure: failure)
        }
        let message = error.serverInfo?[.message] ?? String(reflecting: error)
        return DBOSError.databaseError(operation: operation, reason: "\(message) (SQLSTATE \(state))", failure: failure(sqlState: state))
    }

    /// The classification of a server error by its SQLSTATE.
    static func failure(sqlState state: String) -> DatabaseFailure {
        // Connection exceptions (class 08); admin, crash and startup shutdowns; too many connections.
        if state.hasPrefix("08") || ["57P01", "57P02", "57P03", "53300"].contains(state) { return .unavailable }
        switch state {
        case "23505": return .uniqueViolation
        case "23503": return .foreignKeyViolation
        case "40001", "40P01": return .serializationFailure
        case "55P03": return .lockNotAvailable
        default: return .other
        }
    }

    private static func convert(_ cell: PostgresCell) throws -> SQLValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int8, .int4, .int2: return .int(try cell.decode(Int64.self))
        case .bool: return .bool(try cell.decode(Bool.self))
        case .float8, .float4: return .double(try cell.decode(Double.self))
        default: return .text(try cell.decode(String.self))
        }
    }
}

private struct PostgresExecutor: SQLExecutor {
    let connection: PostgresConnection
    let logger: Logger
    func execute(_ query: SQLQuery) async throws -> [SQLRow] {
        try await PostgresDriver.run(query) { try await connection.query($0, logger: logger) }
    }
}
