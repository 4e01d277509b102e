import Logging
import NIOCore
import NIOSSL
import PostgresNIO

/// PostgreSQL behind ``SQLDriver``: a postgres-nio `PostgresClient` connection pool.
final class PostgresDriver: SQLDriver {
    let dialect: SQLDialect
    let client: PostgresClient
    let location: DatabaseURL.PostgresLocation
    private let runTask: Task<Void, Never>
    private let logger: Logger

    private init(client: PostgresClient, location: DatabaseURL.PostgresLocation, schema: String, logger: Logger) {
        self.client = client
        self.location = location
        self.logger = logger
        self.dialect = SQLDialect(kind: .postgres, prefix: "\"\(schema)\".")
        self.runTask = Task { await client.run() }
    }

    /// Connects (creating the database when it is missing, as DBOS does) and starts the pool.
    static func open(_ location: DatabaseURL.PostgresLocation, schema: String, maxConnections: Int, logger: Logger) async throws -> PostgresDriver {
        try await createDatabaseIfMissing(location, logger: logger)
        var configuration = PostgresClient.Configuration(
            host: location.host, port: location.port, username: location.user,
            password: location.password, database: location.database, tls: try tls(location))
        configuration.options.maximumConnections = maxConnections
        configuration.options.minimumConnections = 0
        // The pool warns when the first query races the start of run(); that is harmless here.
        var background = logger
        background.logLevel = max(logger.logLevel, .error)
        let client = PostgresClient(configuration: configuration, backgroundLogger: background)
        let driver = PostgresDriver(client: client, location: location, schema: schema, logger: logger)
        do {
            _ = try await driver.read(SQLStatement("SELECT 1 AS ok"))
        } catch {
            await driver.close()
            throw DBOSError.databaseUnreachable(url: describe(location), reason: "\(error)")
        }
        return driver
    }

    private static func tls(_ location: DatabaseURL.PostgresLocation) throws -> PostgresClient.Configuration.TLS {
        location.requireTLS ? .require(.makeClientConfiguration()) : .disable
    }

    private static func describe(_ location: DatabaseURL.PostgresLocation) -> String {
        DatabaseURL.postgres(location).description
    }

    private static func createDatabaseIfMissing(_ location: DatabaseURL.PostgresLocation, logger: Logger) async throws {
        let tlsMode: PostgresConnection.Configuration.TLS
        if location.requireTLS {
            do { tlsMode = .require(try NIOSSLContext(configuration: .makeClientConfiguration())) } catch {
                throw DBOSError.databaseUnreachable(url: describe(location), reason: "TLS setup failed: \(error)")
            }
        } else {
            tlsMode = .disable
        }
        let configuration = PostgresConnection.Configuration(
            host: location.host, port: location.port, username: location.user,
            password: location.password, database: "postgres", tls: tlsMode)
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
        } catch {
            throw DBOSError.databaseUnreachable(url: describe(location), reason: "\(String(reflecting: error))")
        }
        defer { Task { try? await connection.close() } }
        do {
            let rows = try await connection.query("SELECT 1 FROM pg_database WHERE datname = \(location.database)", logger: logger)
            var exists = false
            for try await _ in rows { exists = true }
            if !exists {
                let quoted = "\"" + location.database.replacingOccurrences(of: "\"", with: "\"\"") + "\""
                do {
                    try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(quoted)"), logger: logger)
                    logger.info("created system database", metadata: ["database": "\(location.database)"])
                } catch let error as PSQLError where ["42P04", "23505"].contains(error.serverInfo?[.sqlState]) {
                    // Created concurrently by another process: fine.
                }
            }
        } catch let error as DBOSError {
            throw error
        } catch {
            throw DBOSError.databaseUnreachable(url: describe(location), reason: "cannot create database: \(String(reflecting: error))")
        }
    }

    func read(_ statement: SQLStatement) async throws -> [SQLRow] {
        try await Self.run(statement) { try await client.query($0, logger: logger) }
    }

    func write(_ statement: SQLStatement) async throws -> [SQLRow] {
        try await read(statement)
    }

    func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLExecutor) async throws -> T) async throws -> T {
        do {
            return try await client.withTransaction(logger: logger) { connection in
                try await body(PostgresExecutor(connection: connection, logger: self.logger))
            }
        } catch let error as PostgresTransactionError {
            throw error.closureError ?? error.beginError ?? error.commitError ?? error
        }
    }

    func executeScript(_ statements: [String]) async throws {
        try await transaction { executor in
            for statement in statements { _ = try await executor.execute(SQLStatement(statement)) }
        }
    }

    func close() async {
        runTask.cancel()
        _ = await runTask.value
    }

    var fallbackPollInterval: Duration { .seconds(1) }

    /// LISTENs on `channels` over a dedicated connection, reconnecting with backoff after a
    /// loss (and then signalling a change of unknown scope, since notifications may have been missed).
    func runChangeFeed(channels: [String], _ onSignal: @escaping @Sendable (String?, String) -> Void) async {
        var backoff = Duration.milliseconds(100)
        var connectedBefore = false
        while !Task.isCancelled {
            do {
                let configuration = PostgresConnection.Configuration(
                    host: location.host, port: location.port, username: location.user,
                    password: location.password, database: location.database,
                    tls: location.requireTLS ? .require(try NIOSSLContext(configuration: .makeClientConfiguration())) : .disable)
                let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
                defer { Task { try? await connection.close() } }
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for channel in channels {
                        group.addTask {
                            try await connection.listen(on: channel) { notifications in
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
            } catch {
                if Task.isCancelled { return }
                logger.warning("notification listener lost its connection; reconnecting", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: backoff)
            backoff = min(backoff * 2, .seconds(5))
        }
    }

    static func run(_ statement: SQLStatement, _ send: (PostgresQuery) async throws -> PostgresRowSequence) async throws -> [SQLRow] {
        var bindings = PostgresBindings(capacity: statement.binds.count)
        for value in statement.binds {
            switch value {
            case .null: bindings.appendNull()
            case .int(let value): bindings.append(value)
            case .double(let value): bindings.append(value)
            case .text(let value): bindings.append(value)
            case .bool(let value): bindings.append(value)
            }
        }
        let query = PostgresQuery(unsafeSQL: statement.sql, binds: bindings)
        do {
            var rows: [SQLRow] = []
            for try await row in try await send(query) {
                var columns: [String: SQLValue] = [:]
                for cell in row { columns[cell.columnName] = try convert(cell) }
                rows.append(SQLRow(columns: columns))
            }
            return rows
        } catch let error as PSQLError {
            let state = error.serverInfo?[.sqlState]
            let kind: SQLFailure.Kind = switch state {
            case "23505": .uniqueViolation
            case "23503": .foreignKeyViolation
            case "40001", "40P01": .serializationFailure
            default: .other
            }
            let message = error.serverInfo?[.message].map { "\($0) (SQLSTATE \(state ?? "?"))" } ?? String(reflecting: error)
            throw SQLFailure(kind: kind, message: message, sql: statement.sql)
        }
    }

    private static func convert(_ cell: PostgresCell) throws -> SQLValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int8, .int4, .int2: return .int(try cell.decode(Int64.self))
        case .bool: return .bool(try cell.decode(Bool.self))
        case .float8, .float4: return .double(try cell.decode(Double.self))
        case .numeric: return .text(try cell.decode(String.self))
        default: return .text(try cell.decode(String.self))
        }
    }
}

private struct PostgresExecutor: SQLExecutor {
    let connection: PostgresConnection
    let logger: Logger
    func execute(_ statement: SQLStatement) async throws -> [SQLRow] {
        try await PostgresDriver.run(statement) { try await connection.query($0, logger: logger) }
    }
}
