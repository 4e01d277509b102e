import Foundation
public import Logging
public import CoreMetrics

/// How a ``DBOS`` runtime connects and identifies itself.
public struct DBOSConfig: Sendable {
    /// The application name; also names the default SQLite file (`./<name>.sqlite`).
    public var name: String
    /// `postgresql://user:password@host:port/database`, `sqlite:///path/file.sqlite` or a file path.
    /// When nil: the `DBOS_SYSTEM_DATABASE_URL` environment variable, else `./<name>.sqlite`.
    public var systemDatabaseURL: String?
    /// This process's executor ID. When nil: `DBOS__VMID`, else `local`.
    public var executorID: String?
    /// The application version recorded on workflows; recovery only resumes workflows of
    /// the same version. When nil: `DBOS__APPVERSION`, else a hash of the registered workflows
    /// (their names, and for `@Workflow` ones a fingerprint of their code), so a rebuild of the
    /// same code keeps the same version and a change to an annotated workflow's code does not.
    public var applicationVersion: String?
    /// SQLite commit durability. `.full` (default) fsyncs every commit; `.normal` in WAL mode
    /// may lose the last commits on power loss (not on a process crash), for fewer fsyncs.
    public var sqliteSynchronous: SQLiteSynchronous
    /// How long a SQLite statement waits for another process's write lock (`PRAGMA
    /// busy_timeout`) before its attempt fails; the runtime then retries it, so a lock held
    /// longer delays a workflow but does not fail it. Default 30 seconds.
    public var sqliteBusyTimeout: Duration
    /// The PostgreSQL schema holding the DBOS tables.
    public var postgresSchema: String
    /// The largest number of PostgreSQL connections in the pool.
    public var maxPostgresConnections: Int
    /// Default recovery attempts before a workflow becomes MAX_RECOVERY_ATTEMPTS_EXCEEDED.
    public var maxRecoveryAttempts: Int
    /// The logger for the runtime; workflow IDs are added as metadata.
    public var logger: Logger
    /// Opt-in takeover of a dead executor's work (beyond DBOS, which recovers a crashed
    /// executor's workflows only when a process with the same executor ID starts again).
    ///
    /// When set, this process renews a lease in the system database every third of this
    /// duration. A live executor with a lease that sees another executor's lease expired takes
    /// over that executor's PENDING workflows of its own application version: queued ones go
    /// back on their queue, the others resume here from their last completed step. A process
    /// that cannot renew its lease in time (the renewal fails, or waits out a database outage
    /// past the lease) stops its executions at once, even in a wait, and resumes what is still
    /// its own once it can renew again, so a workflow never makes progress in two places.
    /// Expiry is measured on the database's clock, so hosts' clocks need not agree. Every
    /// process needs its own ``executorID``. Default nil (off).
    public var executorLease: Duration?
    /// How long a graceful shutdown waits for running workflows to reach their next operation
    /// (running steps finish and are recorded) before it cancels them. Default 30 seconds.
    public var shutdownTimeout: Duration
    /// Where the runtime's metrics go (see the table in the README's "Observability"). When nil
    /// (the default), the backend bootstrapped with `MetricsSystem.bootstrap`, looked up at each
    /// use. Spans go to the tracer bootstrapped with `InstrumentationSystem.bootstrap` (or bound
    /// with `withTracer` around the runtime's launch).
    public var metricsFactory: (any MetricsFactory)?
    /// How often queue depth and the age of each queue's oldest workflow are sampled for the
    /// `dbos_queue_depth` and `dbos_queue_oldest_age_seconds` gauges (one query per sample,
    /// made only when a metrics backend is set). Default 10 seconds.
    public var queueMetricsInterval: Duration
    /// The names of span attributes: DBOS's (the default, as DBOS Transact's dashboards expect)
    /// or OpenTelemetry-style `dbos.*` names.
    public var spanAttributeNames: SpanAttributeNames
    /// Deletes finished workflows past an age or a count, from the runtime's maintenance (see
    /// ``RetentionPolicy``). Default nil: the system database keeps every workflow.
    public var retention: RetentionPolicy?
    /// The time the runtime's workflows live in: durable sleeps, timeouts, queue delays,
    /// rate-limit windows and cron ticks are measured on it. Default ``WallClock`` (the
    /// machine's time); a test passes a clock it advances by hand (`DBOSTesting.TestClock`).
    public var clock: any DBOSClock
    /// Whether launch creates a missing system database and migrates its schema (default
    /// true). False for a process whose database role may not run DDL: launch then creates and
    /// changes nothing, and fails with ``DBOSError/Code/unsupportedSchemaVersion`` when the
    /// schema is missing or older (``DBOSError/Code/databaseUnreachable`` when the database
    /// itself is), so migrate it first (`dbos-swift migrate`), as DBOS 3.4's `run_migrations`.
    public var runMigrations: Bool

    /// SQLite's `PRAGMA synchronous` setting for the system database.
    public enum SQLiteSynchronous: String, Sendable {
        case full = "FULL"
        case normal = "NORMAL"
    }

    /// A configuration named `name`; every other setting has the default described on its property.
    public init(name: String, systemDatabaseURL: String? = nil, executorID: String? = nil,
                applicationVersion: String? = nil, sqliteSynchronous: SQLiteSynchronous = .full,
                sqliteBusyTimeout: Duration = .seconds(30),
                postgresSchema: String = "dbos", maxPostgresConnections: Int = 32,
                maxRecoveryAttempts: Int = 100, executorLease: Duration? = nil, shutdownTimeout: Duration = .seconds(30),
                logger: Logger? = nil, metricsFactory: (any MetricsFactory)? = nil,
                queueMetricsInterval: Duration = .seconds(10), spanAttributeNames: SpanAttributeNames = .dbos,
                retention: RetentionPolicy? = nil, clock: any DBOSClock = WallClock(), runMigrations: Bool = true) {
        self.name = name
        self.systemDatabaseURL = systemDatabaseURL
        self.executorID = executorID
        self.applicationVersion = applicationVersion
        self.sqliteSynchronous = sqliteSynchronous
        self.sqliteBusyTimeout = sqliteBusyTimeout
        self.postgresSchema = postgresSchema
        self.maxPostgresConnections = maxPostgresConnections
        self.maxRecoveryAttempts = maxRecoveryAttempts
        self.executorLease = executorLease
        self.shutdownTimeout = shutdownTimeout
        self.metricsFactory = metricsFactory
        self.queueMetricsInterval = queueMetricsInterval
        self.spanAttributeNames = spanAttributeNames
        self.retention = retention
        self.clock = clock
        self.runMigrations = runMigrations
        self.logger = logger ?? Logger(label: "dbos.\(name)")
    }

    /// The database URL after applying the environment and the SQLite default.
    var resolvedDatabaseURL: String {
        if let systemDatabaseURL { return systemDatabaseURL }
        if let env = ProcessInfo.processInfo.environment["DBOS_SYSTEM_DATABASE_URL"], !env.isEmpty { return env }
        return "sqlite://\(FileManager.default.currentDirectoryPath)/\(name).sqlite"
    }

    var resolvedExecutorID: String {
        executorID ?? ProcessInfo.processInfo.environment["DBOS__VMID"].flatMap { $0.isEmpty ? nil : $0 } ?? "local"
    }
}
