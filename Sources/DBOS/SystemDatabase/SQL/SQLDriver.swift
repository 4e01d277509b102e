/// Runs SQL on one backend. `SQLSystemDatabase` holds the DBOS semantics and speaks to
/// either backend through this protocol; SQL text uses `$1` placeholders and the table
/// prefix of ``SQLDialect``.
protocol SQLDriver: Sendable {
    var dialect: SQLDialect { get }

    /// A read-only statement (autocommit, may run concurrently with writes).
    func read(_ statement: SQLStatement) async throws -> [SQLRow]

    /// A write of one statement. On SQLite, concurrent writes share a transaction
    /// (group commit); the call returns only after the commit that holds it.
    func write(_ statement: SQLStatement) async throws -> [SQLRow]

    /// Several statements (and logic between them) as one atomic unit.
    func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLExecutor) async throws -> T) async throws -> T

    /// Runs DDL statements once, in order, in one transaction where the backend allows.
    func executeScript(_ statements: [String]) async throws

    /// Closes all connections.
    func close() async

    /// Delivers change signals until the calling task is cancelled: `(channel, payload)` for each
    /// PostgreSQL NOTIFY on `channels`; `(nil, "")` when a change of unknown scope may have
    /// happened (SQLite commits by any connection, or a PostgreSQL reconnect).
    func runChangeFeed(channels: [String], _ onSignal: @escaping @Sendable (_ channel: String?, _ payload: String) -> Void) async

    /// How often a waiter re-checks the database when no signal arrives.
    var fallbackPollInterval: Duration { get }
}

/// The statement runner handed to a transaction body.
protocol SQLExecutor: Sendable {
    func execute(_ statement: SQLStatement) async throws -> [SQLRow]
}

/// What differs between the SQL of the two backends.
struct SQLDialect: Sendable {
    enum Kind: Sendable { case postgres, sqlite }
    var kind: Kind
    /// The qualified prefix for DBOS tables: `"dbos".` on Postgres, nothing on SQLite.
    var prefix: String

    var isPostgres: Bool { kind == .postgres }

    /// Expression for "now" in epoch milliseconds.
    var nowMillis: String {
        isPostgres ? "((EXTRACT(epoch FROM now()) * 1000.0))::bigint" : "(CAST(unixepoch('subsec') * 1000 AS INTEGER))"
    }

    /// Qualifies a DBOS table name.
    func table(_ name: String) -> String { prefix + name }
}
