import Foundation
import Logging

/// The DBOS semantics on top of SQL, written once for both backends. Where the best
/// statement differs, the code asks the ``SQLDialect`` for a fragment or a capability.
final class SQLSystemDatabase: SystemDatabase {
    let driver: any SQLDriver
    let schema: String
    let logger: Logger
    let clock: any DBOSClock
    let dialect: SQLDialect
    /// The DBOS tables, qualified for this dialect.
    let tables: Tables

    /// Group commit of inserts, operation records and completions where writers do not already
    /// share one connection (PostgreSQL); SQLite's writer batches every write itself.
    let recordBatcher: GroupCommit<OwnedRecord, Bool>?
    let completionBatcher: GroupCommit<Completion, Bool>?
    let insertBatcher: GroupCommit<WorkflowInsert, WorkflowInsertResult>?
    /// Announces enqueued work to other processes, where the database can (PostgreSQL).
    private let queueNotifier: QueueNotifier?
    /// Queue claims that needed a retry, watched for rows an abandoned try committed late.
    let uncertainClaims = UncertainClaims()

    init(driver: any SQLDriver, schema: String, logger: Logger, clock: any DBOSClock = WallClock(),
         metrics: RuntimeMetrics = RuntimeMetrics(configured: nil)) {
        self.driver = driver
        self.clock = clock
        self.schema = schema
        self.logger = logger
        self.dialect = driver.dialect
        let tables = Tables(driver.dialect)
        self.tables = tables
        let batchers = driver.dialect.hasSingleWriter ? nil : Self.groupCommits(driver: driver, tables: tables, clock: clock, logger: logger, metrics: metrics)
        recordBatcher = batchers?.records
        completionBatcher = batchers?.completions
        insertBatcher = batchers?.inserts
        let dialect = driver.dialect
        queueNotifier = dialect.supportsNotify ? QueueNotifier { queue in
            // An autocommitted statement that changes no rows: nothing to confirm.
            if let notify = dialect.notify(.queues, queue) { _ = try? await driver.read(notify) }
        } : nil
    }

    /// Opens the system database named by a URL (no I/O: see ``open()``).
    convenience init(url: DatabaseURL, schema: String, synchronous: SQLiteDriver.Synchronous,
                     sqliteBusyTimeout: Duration = SQLiteDriver.defaultBusyTimeout, maxConnections: Int, logger: Logger,
                     clock: any DBOSClock = WallClock(),
                     metrics: RuntimeMetrics = RuntimeMetrics(configured: nil)) throws {
        let driver: any SQLDriver
        switch url {
        case .postgres(let location):
            let postgres = PostgresDriver(location, schema: schema, maxConnections: maxConnections, logger: logger)
            driver = RetryingDriver(postgres, watchAttempts: true, logger: logger, metrics: metrics)
        case .sqlite(let path):
            driver = RetryingDriver(SQLiteDriver(path: path, synchronous: synchronous, busyTimeout: sqliteBusyTimeout,
                                                 logger: logger, metrics: metrics),
                                    watchAttempts: false, logger: logger, metrics: metrics)
        }
        self.init(driver: driver, schema: schema, logger: logger, clock: clock, metrics: metrics)
    }

    var backendName: String { dialect.name }

    func run() async { await driver.run() }
    func open(creating: Bool, listening: Bool) async throws { try await driver.open(creating: creating, listening: listening) }

    func verifySchema() async throws {
        try await Migrator(driver: driver, schema: schema, logger: logger).verify()
    }
    func close() async { await driver.close() }

    func migrate() async throws -> MigrationReport {
        try await Migrator(driver: driver, schema: schema, logger: logger).migrate()
    }

    func runChangeFeed(_ onSignal: @escaping @Sendable (ChangeChannel?, String) -> Void) async {
        await driver.runChangeFeed(channels: ChangeChannel.allCases, onSignal)
    }

    var fallbackPollInterval: Duration { driver.fallbackPollInterval }

    func notifyQueue(_ queue: String) async {
        await queueNotifier?.notify(queue)
    }

    // MARK: Operation records

    /// The columns of `operation_outputs` this library writes and reads.
    static let stepColumns: SQLFragment =
        "workflow_uuid, function_id, function_name, output, error, child_workflow_id, started_at_epoch_ms, completed_at_epoch_ms, serialization"

    /// Inserts an operation record if `ownerXID` owns the workflow; returns a row when it did.
    func stepInsert(_ step: StepRecord, ownerXID: String?) -> SQLQuery {
        Self.stepInsert(step, ownerXID: ownerXID, tables: tables)
    }

    /// Inserts many operation records in one statement, each only if its owner token owns its
    /// workflow; returns the `workflow_uuid` and `function_id` of each record written.
    /// PostgreSQL (typed `VALUES`).
    static func stepInsert(_ records: [OwnedRecord], tables: Tables) -> SQLQuery {
        let rows = records.map { owned -> SQLQuery in
            let step = owned.record, ownerXID = owned.ownerXID
            return """
            (\(step.workflowID)::text, \(step.functionID)::integer, \(step.functionName)::text, \(step.output)::text, \
            \(step.error)::text, \(step.childWorkflowID)::text, \(step.startedAt)::bigint, \(step.completedAt)::bigint, \
            \(step.serialization)::text, \(ownerXID)::text)
            """
        }
        return """
            INSERT INTO \(tables.operations) (\(stepColumns))
            SELECT v.workflow_uuid, v.function_id, v.function_name, v.output, v.error, v.child_workflow_id,
                v.started_at_epoch_ms, v.completed_at_epoch_ms, v.serialization
            FROM (VALUES \(SQLQuery.joined(rows, separator: ", "))) AS v(workflow_uuid, function_id, function_name, output, error,
                child_workflow_id, started_at_epoch_ms, completed_at_epoch_ms, serialization, owner_xid)
            JOIN \(tables.status) s ON s.workflow_uuid = v.workflow_uuid AND s.owner_xid = v.owner_xid
            ON CONFLICT (workflow_uuid, function_id) DO NOTHING
            RETURNING workflow_uuid, function_id
            """
    }

    static func stepInsert(_ step: StepRecord, ownerXID: String?, tables: Tables) -> SQLQuery {
        let values: SQLQuery = """
            \(step.workflowID), \(step.functionID), \(step.functionName), \(step.output), \(step.error), \
            \(step.childWorkflowID), \(step.startedAt), \(step.completedAt), \(step.serialization)
            """
        let source: SQLQuery = ownerXID.map { owner in
            "SELECT \(values) FROM \(tables.status) WHERE workflow_uuid = \(step.workflowID) AND owner_xid = \(owner)"
        } ?? "VALUES (\(values))"
        return """
            INSERT INTO \(tables.operations) (\(Self.stepColumns)) \(source)
            ON CONFLICT (workflow_uuid, function_id) DO NOTHING RETURNING function_id
            """
    }

    func recordOperation(_ operation: StepRecord, ownerXID: String) async throws -> OperationWrite<Void> {
        if let recordBatcher {
            if try await recordBatcher.write(OwnedRecord(record: operation, ownerXID: ownerXID)) { return .recorded(()) }
        } else if try await !driver.write(stepInsert(operation, ownerXID: ownerXID)).isEmpty {
            return .recorded(())
        }
        return try await refusal(of: operation, reading: driver.read)
    }

    /// Records `operation` first, then (only when it was recorded) performs its effect in the
    /// same transaction. A refused record leaves nothing written and says why.
    func record<Value: Sendable>(_ operation: StepRecord, ownerXID: String, _ executor: any SQLExecutor,
                                 then effect: () async throws -> Value) async throws -> OperationWrite<Value> {
        if try await !executor.execute(stepInsert(operation, ownerXID: ownerXID)).isEmpty {
            return .recorded(try await effect())
        }
        return try await refusal(of: operation, reading: executor.execute)
    }

    /// Why an operation record was not written: an earlier execution's record at that ID, or
    /// a workflow that is no longer this execution's.
    private func refusal<Value>(of operation: StepRecord, reading read: (SQLQuery) async throws -> [SQLRow])
        async throws -> OperationWrite<Value> {
        if let existing = try await read(stepQuery(workflowID: operation.workflowID, functionID: operation.functionID)).first {
            return .alreadyRecorded(try StepRecord(row: existing))
        }
        let status = try await read("SELECT status FROM \(tables.status) WHERE workflow_uuid = \(operation.workflowID)")
        return .notOwner(status: try status.first.map { WorkflowState(rawValue: try $0.decode("status")) })
    }

    func stepQuery(workflowID: String, functionID: Int) -> SQLQuery {
        "SELECT \(Self.stepColumns) FROM \(tables.operations) WHERE workflow_uuid = \(workflowID) AND function_id = \(functionID)"
    }

    func step(workflowID: String, functionID: Int) async throws -> StepRecord? {
        try await driver.read(stepQuery(workflowID: workflowID, functionID: functionID)).first.map(StepRecord.init(row:))
    }

    func listSteps(workflowID: String, loadOutputs: Bool, limit: Int?, offset: Int?) async throws -> [StepRecord] {
        // Without outputs the payload columns are not even read (outputs can be large).
        let columns: SQLFragment = loadOutputs
            ? Self.stepColumns
            : "workflow_uuid, function_id, function_name, NULL AS output, NULL AS error, child_workflow_id, started_at_epoch_ms, completed_at_epoch_ms, serialization"
        var query: SQLQuery = "SELECT \(columns) FROM \(tables.operations) WHERE workflow_uuid = \(workflowID) ORDER BY function_id"
        if let limit { query.append(" LIMIT \(limit)") }
        if let offset {
            if limit == nil { query.append("\(dialect.limitForOffsetOnly)") }
            query.append(" OFFSET \(offset)")
        }
        return try await driver.read(query).map(StepRecord.init(row:))
    }

    func steps(workflowID: String) async throws -> [StepRecord] {
        try await driver.read(
            "SELECT \(Self.stepColumns) FROM \(tables.operations) WHERE workflow_uuid = \(workflowID) ORDER BY function_id"
        ).map(StepRecord.init(row:))
    }
}

/// The DBOS tables, qualified once for a dialect.
struct Tables: Sendable {
    let status, inputs, outputs, operations: SQLFragment
    let notifications, events, eventHistory, streams: SQLFragment
    let queues, schedules, leases, migrations: SQLFragment
    /// The type of `workflow_status.attributes`, to cast a bound text to (`jsonb` on PostgreSQL).
    let jsonType: SQLFragment

    init(_ dialect: SQLDialect) {
        jsonType = dialect.jsonType
        status = dialect.table(.workflowStatus)
        inputs = dialect.table(.workflowInput)
        outputs = dialect.table(.workflowOutput)
        operations = dialect.table(.operationOutputs)
        notifications = dialect.table(.notifications)
        events = dialect.table(.workflowEvents)
        eventHistory = dialect.table(.workflowEventsHistory)
        streams = dialect.table(.streams)
        queues = dialect.table(.queues)
        schedules = dialect.table(.workflowSchedules)
        leases = dialect.table(.eventDispatchKV)
        migrations = dialect.table(.migrations)
    }
}
