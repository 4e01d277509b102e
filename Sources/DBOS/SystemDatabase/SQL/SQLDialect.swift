import Foundation

/// What differs between the SQL of the two backends, by name (as dbos-transact-golang's
/// `dialect.go`): the shared SQL asks for a fragment or a capability, never for a backend.
struct SQLDialect: Sendable {
    /// `"postgres"` or `"sqlite"`.
    let name: String
    /// Qualifies DBOS tables: `"dbos".` on PostgreSQL, nothing on SQLite.
    let tablePrefix: SQLFragment
    /// Appended to a candidate SELECT so concurrent claimers skip each other's rows.
    let skipLocked: SQLFragment
    /// Appended to the candidate SELECT of a queue whose budget is shared between processes:
    /// a claimer that meets rows another claimer holds (a DBOS Python dequeuer mid-claim, which
    /// does not take our turns) gives up and tries later, as DBOS's own claimers do, rather than
    /// passing over the queue's head and spending the budget on a snapshot that misses that claim.
    let lockSharedClaim: SQLFragment
    /// The order in which a destination's messages are received (FIFO, ties broken by insertion).
    let messageOrder: SQLFragment
    /// Written before `OFFSET` when a query has no `LIMIT` (SQLite requires one).
    let limitForOffsetOnly: SQLFragment
    /// Whether one statement can write several tables (data-modifying CTEs), saving round trips.
    let supportsWritableCTEs: Bool
    /// Whether `pg_notify` reaches other processes; without it they watch the data version.
    let supportsNotify: Bool
    /// Whether only one writer runs at a time (SQLite): a claimer looks on the read connection
    /// before taking the write lock, and needs no lock to take turns.
    let hasSingleWriter: Bool
    /// How the DBOS schema is created, found and dropped.
    let schema: SchemaDDL
    /// The database's clock, in epoch milliseconds: what hosts whose clocks disagree compare
    /// shared times with (executor leases, rate-limit windows). SQLite's clock is its one host's.
    let nowMilliseconds: SQLFragment
    /// A set-returning function yielding a bound JSON array of strings as a text `value` column
    /// (the text before and after the bound array; see ``values(_:)``).
    let jsonTextElements: (open: SQLFragment, close: SQLFragment)
    /// The same for a JSON array of two-element arrays, and the columns `first` and `second`
    /// read from each row's `value` (see ``pairs(_:)``).
    let jsonPairRows: (open: SQLFragment, close: SQLFragment, columns: SQLFragment)
    /// The type of JSON columns (`attributes`): `jsonb`, or `TEXT` on SQLite.
    let jsonType: SQLFragment
    /// Appended to a queue query whose own status condition is narrower than the partial
    /// indexes' `status IN ('ENQUEUED', 'PENDING')`. SQLite uses a partial index only when the
    /// query repeats that condition's very terms (see ``SQLSystemDatabase/inFlight``).
    /// PostgreSQL proves it from `status = '...'` alone and gets nothing: given the list too, it
    /// no longer reads the index in its order, and a claim sorted every queued row (5 ms instead
    /// of 0.2 ms per claim with 5,000 workflows queued).
    let inFlightTerms: SQLFragment
    /// Whether the database turns whole rows into JSON and back (`row_to_json`,
    /// `json_populate_record`), converting each column to and from its own type; otherwise
    /// export and import convert column by column.
    var convertsRowsToJSON: Bool { name == "postgres" }

    static func postgres(schema: String) -> SQLDialect {
        SQLDialect(
            name: "postgres", tablePrefix: SQLFragment(SQLFragment(identifier: schema), "."),
            skipLocked: " FOR UPDATE SKIP LOCKED", lockSharedClaim: " FOR UPDATE NOWAIT",
            messageOrder: "created_at_epoch_ms, message_uuid", limitForOffsetOnly: "",
            supportsWritableCTEs: true, supportsNotify: true, hasSingleWriter: false,
            schema: SchemaDDL(
                statements: PostgresSchema.statements(schema: SQLFragment(identifier: schema)),
                namespace: "CREATE SCHEMA IF NOT EXISTS \(SQLFragment(identifier: schema))",
                lock: "SELECT pg_advisory_xact_lock(1250125)",
                migrationsTable: "CREATE TABLE IF NOT EXISTS \(SQLFragment(identifier: schema)).dbos_migrations (version bigint NOT NULL PRIMARY KEY)",
                migrationsTableExists: """
                    SELECT 1 AS present FROM information_schema.tables WHERE table_schema = \(schema) AND table_name = 'dbos_migrations'
                    """,
                dropAll: ["DROP SCHEMA IF EXISTS \(SQLFragment(identifier: schema)) CASCADE"]),
            nowMilliseconds: "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)",
            jsonTextElements: ("json_array_elements_text(", "::json)"),
            jsonPairRows: ("json_array_elements(", "::json)", "value->>0 AS first, value->>1 AS second"),
            jsonType: "jsonb", inFlightTerms: "")
    }

    static let sqlite = SQLDialect(
        name: "sqlite", tablePrefix: "", skipLocked: "", lockSharedClaim: "",
        messageOrder: "created_at_epoch_ms, rowid", limitForOffsetOnly: " LIMIT -1",
        supportsWritableCTEs: false, supportsNotify: false, hasSingleWriter: true,
        schema: SchemaDDL(
            statements: SQLiteSchema.statements, namespace: nil, lock: nil,
            migrationsTable: "CREATE TABLE IF NOT EXISTS dbos_migrations (version INTEGER NOT NULL PRIMARY KEY)",
            migrationsTableExists: "SELECT 1 AS present FROM sqlite_master WHERE type = 'table' AND name = 'dbos_migrations'",
            dropAll: SystemTable.dropOrder.map { "DROP TABLE IF EXISTS \($0.name)" }),
        nowMilliseconds: "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)",
        jsonTextElements: ("json_each(", ")"),
        jsonPairRows: ("json_each(", ")", "json_extract(value, '$[0]') AS first, json_extract(value, '$[1]') AS second"),
        jsonType: "TEXT", inFlightTerms: " AND status IN ('ENQUEUED', 'PENDING')")

    /// A DBOS table, qualified.
    func table(_ table: SystemTable) -> SQLFragment { SQLFragment(tablePrefix, table.name) }

    /// Wakes listeners of `channel` in other processes when the surrounding transaction commits.
    func notify(_ channel: ChangeChannel, _ payload: String) -> SQLQuery? {
        supportsNotify ? "SELECT pg_notify(\(channel.rawValue), \(payload))" : nil
    }

    /// A subquery for `IN (...)` yielding `values`, bound as one JSON array however many there
    /// are (a statement's placeholders are limited; a list this long would need several).
    func values(_ values: some Collection<String>) -> SQLQuery {
        "SELECT value FROM \(jsonTextElements.open)\(Self.json(Array(values)))\(jsonTextElements.close)"
    }

    /// A table of `pairs` with text columns `first` and `second`, bound as one JSON array.
    func pairs(_ pairs: [(String, String)]) -> SQLQuery {
        "SELECT \(jsonPairRows.columns) FROM \(jsonPairRows.open)\(Self.json(pairs.map { [$0.0, $0.1] }))\(jsonPairRows.close)"
    }

    private static func json(_ value: some Encodable) -> String {
        String(decoding: (try? JSONEncoder().encode(value)) ?? Data("[]".utf8), as: UTF8.self)
    }

    /// Makes claimers of one queue take turns until the transaction ends, so limits shared by
    /// several processes (global concurrency, rate limits) are counted exactly.
    func queueTurn(_ queue: String) -> SQLQuery? {
        hasSingleWriter ? nil : "SELECT pg_advisory_xact_lock(hashtext(\(queue)))"
    }
}

/// The statements that create, find and drop the DBOS schema of one dialect.
struct SchemaDDL: Sendable {
    /// The tables, keys, indexes (and on PostgreSQL triggers and functions) of version 125.
    let statements: [SQLQuery]
    /// Creates the namespace (PostgreSQL schema) that holds the tables, where there is one.
    let namespace: SQLQuery?
    /// Serializes concurrent migrations until the transaction ends, where a lock is needed.
    let lock: SQLQuery?
    let migrationsTable: SQLQuery
    /// Returns a row when the migrations table exists.
    let migrationsTableExists: SQLQuery
    /// Drops every DBOS table (or the namespace holding them).
    let dropAll: [SQLQuery]
}

/// The tables of the DBOS system database, named once.
enum SystemTable: Sendable {
    case workflowStatus, workflowInput, workflowOutput, operationOutputs
    case notifications, workflowEvents, workflowEventsHistory, streams
    case queues, workflowSchedules, eventDispatchKV, applicationVersions, migrations

    var name: SQLFragment {
        switch self {
        case .workflowStatus: "workflow_status"
        case .workflowInput: "workflow_input"
        case .workflowOutput: "workflow_output"
        case .operationOutputs: "operation_outputs"
        case .notifications: "notifications"
        case .workflowEvents: "workflow_events"
        case .workflowEventsHistory: "workflow_events_history"
        case .streams: "streams"
        case .queues: "queues"
        case .workflowSchedules: "workflow_schedules"
        case .eventDispatchKV: "event_dispatch_kv"
        case .applicationVersions: "application_versions"
        case .migrations: "dbos_migrations"
        }
    }

    /// Every table, children before the tables they reference (the order to drop them in).
    static let dropOrder: [SystemTable] = [
        .operationOutputs, .notifications, .workflowEvents, .workflowEventsHistory, .streams, .workflowInput,
        .workflowOutput, .workflowStatus, .workflowSchedules, .applicationVersions, .queues, .eventDispatchKV, .migrations,
    ]
}

/// The change channels of the system database: DBOS's notification trigger and functions
/// announce new messages, events and stream values on the first three; Swift processes
/// announce queued work on the last.
enum ChangeChannel: String, Sendable, CaseIterable {
    case notifications = "dbos_notifications_channel"
    case events = "dbos_workflow_events_channel"
    case streams = "dbos_streams_channel"
    /// Work was put on a queue (payload: the queue name). Not a DBOS channel.
    case queues = "dbos_swift_queues_channel"
}
