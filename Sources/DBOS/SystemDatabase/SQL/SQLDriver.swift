/// Runs SQL on one backend. ``SQLSystemDatabase`` holds the DBOS semantics and speaks to
/// either backend through this protocol.
///
/// Lifecycle (as postgres-nio's `PostgresClient`): creating a driver does no I/O; ``run()``
/// drives its connections for as long as the owner's task group lives; ``open()`` connects
/// once `run()` is running; ``close()`` finishes queued writes and closes the connections,
/// after which `run()` is cancelled.
protocol SQLDriver: Sendable {
    var dialect: SQLDialect { get }

    /// Drives the connections (the PostgreSQL pool, the SQLite writer) until cancelled.
    func run() async

    /// Connects, creating the database when it is missing (unless `creating` is false: then a
    /// missing database is ``DBOSError/Code/databaseUnreachable``), and checks that it answers.
    /// `listening`: the owner runs ``runChangeFeed(channels:_:)`` next, so a driver may keep the
    /// connection it checked with for the feed instead of closing it and opening another.
    func open(creating: Bool, listening: Bool) async throws

    /// A read-only statement (autocommit, may run concurrently with writes).
    func read(_ query: SQLQuery) async throws -> [SQLRow]

    /// A write of one statement. On SQLite, concurrent writes share a transaction
    /// (group commit); the call returns only after the commit that holds it.
    func write(_ query: SQLQuery) async throws -> [SQLRow]

    /// Several statements (and logic between them) as one atomic unit; an error thrown by
    /// `body` rolls it back.
    func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLExecutor) async throws -> T) async throws -> T

    /// Finishes queued writes and closes the connections.
    func close() async

    /// Delivers change signals until the calling task is cancelled: `(channel, payload)` for each
    /// PostgreSQL NOTIFY on `channels`; `(nil, "")` when a change of unknown scope may have
    /// happened (SQLite commits by any connection, or a PostgreSQL reconnect).
    func runChangeFeed(channels: [ChangeChannel], _ onSignal: @escaping @Sendable (_ channel: ChangeChannel?, _ payload: String) -> Void) async

    /// How often a waiter re-checks the database when no signal arrives.
    var fallbackPollInterval: Duration { get }
}

/// The statement runner handed to a transaction body.
protocol SQLExecutor: Sendable {
    func execute(_ query: SQLQuery) async throws -> [SQLRow]
}

extension SQLQuery {
    /// A short form of the statement naming what its rows come from, for error messages.
    var source: String {
        let text = description.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        return text.count <= 80 ? "`\(text)`" : "`\(text.prefix(77))...`"
    }
}
