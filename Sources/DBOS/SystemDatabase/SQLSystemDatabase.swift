import Foundation
import Logging

/// The DBOS semantics on top of SQL, shared by both backends. The few statements whose
/// best form differs (one round trip on PostgreSQL through data-modifying CTEs, a
/// group-committed transaction on SQLite) branch on the dialect.
final class SQLSystemDatabase: SystemDatabase {
    let driver: any SQLDriver
    let schema: String
    let logger: Logger
    private let dialect: SQLDialect

    init(driver: any SQLDriver, schema: String, logger: Logger) {
        self.driver = driver
        self.schema = schema
        self.logger = logger
        self.dialect = driver.dialect
    }

    var backendName: String { dialect.isPostgres ? "postgres" : "sqlite" }

    private var status: String { dialect.table("workflow_status") }
    private var inputs: String { dialect.table("workflow_input") }
    private var outputs: String { dialect.table("workflow_output") }
    private var operations: String { dialect.table("operation_outputs") }

    func migrate() async throws -> MigrationReport {
        try await Migrator(driver: driver, schema: schema, logger: logger).migrate()
    }

    func close() async { await driver.close() }

    func runChangeFeed(_ onSignal: @escaping @Sendable (String?, String) -> Void) async {
        await driver.runChangeFeed(channels: [WakeupHub.Channel.notifications, .events, .streams, .queues].map(\.rawValue), onSignal)
    }

    var fallbackPollInterval: Duration { driver.fallbackPollInterval }

    /// Wakes the dispatchers of `queue` in other processes at once (PostgreSQL NOTIFY; SQLite
    /// processes see every commit through the data version). Best effort: they also poll.
    func notifyQueue(_ queue: String) async {
        guard dialect.isPostgres else { return }
        _ = try? await driver.write(SQLStatement("SELECT pg_notify($1, $2)", [.text(WakeupHub.Channel.queues.rawValue), .text(queue)]))
    }

    // MARK: Workflows

    private static let insertColumns = """
        workflow_uuid, status, name, executor_id, application_version, application_name, queue_name, \
        recovery_attempts, workflow_timeout_ms, workflow_deadline_epoch_ms, parent_workflow_id, owner_xid, \
        creator_xid, serialization, priority, deduplication_id, queue_partition_key, authenticated_user, \
        created_at, updated_at, delay_until_epoch_ms
        """

    private func insertBinds(_ insert: WorkflowInsert) -> [SQLValue] {
        let attempts: Int64 = insert.status == .pending ? 1 : 0
        return [
            .text(insert.workflowID), .text(insert.status.rawValue), .text(insert.name), SQLValue(insert.executorID),
            SQLValue(insert.applicationVersion), SQLValue(insert.applicationName), SQLValue(insert.queueName),
            .int(attempts), SQLValue(insert.timeoutMilliseconds), SQLValue(insert.deadlineEpochMilliseconds),
            SQLValue(insert.parentWorkflowID), .text(insert.ownerXID), .text(insert.serialization),
            .int(Int64(insert.priority)), SQLValue(insert.deduplicationID), SQLValue(insert.partitionKey),
            SQLValue(insert.authenticatedUser), .int(insert.createdAt), SQLValue(insert.delayUntilEpochMilliseconds),
            .text(insert.inputs),
        ]
    }

    /// `$1...$19` in ``insertColumns`` order (the owner is the creator for a direct start, none for an
    /// enqueued workflow; created and updated share `$18`); `$20` is the input.
    private static let insertValues =
        "$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, CASE WHEN $2 = 'PENDING' THEN $12 ELSE NULL END, $12, $13, $14, $15, $16, $17, $18, $18, $19"

    func insertWorkflow(_ insert: WorkflowInsert) async throws -> WorkflowInsertResult {
        do {
            if dialect.isPostgres {
                let rows = try await driver.write(SQLStatement(postgresInsertSQL, insertBinds(insert)))
                let result = try insertResult(rows, insert)
                if result.created, insert.status == .enqueued, let queue = insert.queueName { await notifyQueue(queue) }
                return result
            }
            return try await driver.transaction { executor in
                try await self.sqliteInsert(insert, executor)
            }
        } catch where error.isUniqueViolation && insert.deduplicationID != nil {
            throw DBOSError.queueDeduplicated(queue: insert.queueName ?? "", deduplicationID: insert.deduplicationID ?? "")
        }
    }

    func insertChildWorkflow(_ insert: WorkflowInsert, parentStep: StepRecord) async throws -> WorkflowInsertResult {
        do {
            return try await insertChildWorkflowUnchecked(insert, parentStep: parentStep)
        } catch where error.isUniqueViolation && insert.deduplicationID != nil {
            throw DBOSError.queueDeduplicated(queue: insert.queueName ?? "", deduplicationID: insert.deduplicationID ?? "")
        }
    }

    private func insertChildWorkflowUnchecked(_ insert: WorkflowInsert, parentStep: StepRecord) async throws -> WorkflowInsertResult {
        try await driver.transaction { executor in
            let result: WorkflowInsertResult
            if self.dialect.isPostgres {
                result = try self.insertResult(try await executor.execute(SQLStatement(self.postgresInsertSQL, self.insertBinds(insert))), insert)
            } else {
                result = try await self.sqliteInsert(insert, executor)
            }
            _ = try await executor.execute(self.stepInsert(parentStep, ownerXID: nil))
            return result
        }
    }

    private var postgresInsertSQL: String {
        """
        WITH ins AS (
            INSERT INTO \(status) AS ws (\(Self.insertColumns)) VALUES (\(Self.insertValues))
            ON CONFLICT (workflow_uuid) DO UPDATE SET creator_xid = ws.creator_xid
            RETURNING ws.status, ws.name, ws.creator_xid, ws.serialization
        ), input AS (
            INSERT INTO \(inputs) (workflow_uuid, inputs, retention_timestamp)
            SELECT $1, $20, $18 FROM ins WHERE ins.name = $3
            ON CONFLICT (workflow_uuid) DO NOTHING
        )
        SELECT status, name, creator_xid, serialization FROM ins
        """
    }

    private func sqliteInsert(_ insert: WorkflowInsert, _ executor: any SQLExecutor) async throws -> WorkflowInsertResult {
        let binds = insertBinds(insert)
        let rows = try await executor.execute(SQLStatement("""
            INSERT INTO \(status) (\(Self.insertColumns)) VALUES (\(Self.insertValues))
            ON CONFLICT (workflow_uuid) DO UPDATE SET creator_xid = workflow_status.creator_xid
            RETURNING status, name, creator_xid, serialization
            """, Array(binds.dropLast())))
        let result = try insertResult(rows, insert)
        if result.name == insert.name {
            _ = try await executor.execute(SQLStatement(
                "INSERT INTO \(inputs) (workflow_uuid, inputs, retention_timestamp) VALUES ($1, $2, $3) ON CONFLICT (workflow_uuid) DO NOTHING",
                [.text(insert.workflowID), .text(insert.inputs), .int(insert.createdAt)]))
        }
        return result
    }

    private func insertResult(_ rows: [SQLRow], _ insert: WorkflowInsert) throws -> WorkflowInsertResult {
        guard let row = rows.first else {
            throw DBOSError.databaseError(operation: "insert workflow \(insert.workflowID)", reason: "no row returned")
        }
        return WorkflowInsertResult(
            status: row.string("status") ?? "", name: row.string("name") ?? "",
            created: row.string("creator_xid") == insert.ownerXID, serialization: row.string("serialization"))
    }

    func completeWorkflow(workflowID: String, ownerXID: String?, status newStatus: WorkflowState, output: String?, error: String?) async throws -> Bool {
        let now = Clock.nowMillis()
        let ownerClause = ownerXID == nil ? "" : " AND owner_xid = $6"
        var binds: [SQLValue] = [.text(workflowID), .text(newStatus.rawValue), SQLValue(output), SQLValue(error), .int(now)]
        if let ownerXID { binds.append(.text(ownerXID)) }
        let updateBinds = binds
        let update = """
            UPDATE \(status) SET status = $2, deduplication_id = NULL, owner_xid = NULL, updated_at = $5, completed_at = $5
            WHERE workflow_uuid = $1 AND status = 'PENDING'\(ownerClause)
            RETURNING 1 AS written
            """
        if dialect.isPostgres {
            let rows = try await driver.write(SQLStatement("""
                WITH updated AS (\(update)), stored AS (
                    INSERT INTO \(outputs) (workflow_uuid, output, error, retention_timestamp)
                    SELECT $1, $3, $4, $5 WHERE EXISTS (SELECT 1 FROM updated)
                    ON CONFLICT (workflow_uuid) DO UPDATE SET output = EXCLUDED.output, error = EXCLUDED.error
                    RETURNING 1
                )
                SELECT count(*) AS written FROM updated
                """, updateBinds))
            return (rows.first?.int("written") ?? 0) > 0
        }
        return try await driver.transaction { executor in
            let updated = try await executor.execute(SQLStatement(update, updateBinds))
            guard !updated.isEmpty else { return false }
            _ = try await executor.execute(SQLStatement("""
                INSERT INTO \(self.outputs) (workflow_uuid, output, error, retention_timestamp) VALUES ($1, $2, $3, $4)
                ON CONFLICT (workflow_uuid) DO UPDATE SET output = excluded.output, error = excluded.error
                """, [.text(workflowID), SQLValue(output), SQLValue(error), .int(now)]))
            return true
        }
    }

    // MARK: Steps

    func stepInsert(_ step: StepRecord, ownerXID: String?) -> SQLStatement {
        var binds: [SQLValue] = [
            .text(step.workflowID), .int(Int64(step.functionID)), .text(step.functionName), SQLValue(step.output),
            SQLValue(step.error), SQLValue(step.childWorkflowID), SQLValue(step.startedAt.map(Clock.millis)),
            SQLValue(step.completedAt.map(Clock.millis)), SQLValue(step.serialization),
        ]
        let columns = "workflow_uuid, function_id, function_name, output, error, child_workflow_id, started_at_epoch_ms, completed_at_epoch_ms, serialization"
        let sql: String
        if let ownerXID {
            binds.append(.text(ownerXID))
            sql = """
                INSERT INTO \(operations) (\(columns))
                SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9 FROM \(status) WHERE workflow_uuid = $1 AND owner_xid = $10
                ON CONFLICT (workflow_uuid, function_id) DO NOTHING RETURNING function_id
                """
        } else {
            sql = """
                INSERT INTO \(operations) (\(columns)) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                ON CONFLICT (workflow_uuid, function_id) DO NOTHING RETURNING function_id
                """
        }
        return SQLStatement(sql, binds)
    }

    func recordStep(_ step: StepRecord, ownerXID: String?) async throws -> StepWriteOutcome {
        let rows = try await driver.write(stepInsert(step, ownerXID: ownerXID))
        if !rows.isEmpty { return .recorded }
        return try await diagnoseUnrecorded(step)
    }

    func diagnoseUnrecorded(_ step: StepRecord) async throws -> StepWriteOutcome {
        if let existing = try await self.step(workflowID: step.workflowID, functionID: step.functionID) {
            return .alreadyRecorded(existing)
        }
        let current = try await driver.read(SQLStatement("SELECT status FROM \(status) WHERE workflow_uuid = $1", [.text(step.workflowID)]))
        return .notOwner(status: current.first?.string("status"))
    }

    private static let stepColumns = "workflow_uuid, function_id, function_name, output, error, child_workflow_id, started_at_epoch_ms, completed_at_epoch_ms, serialization"

    func steps(workflowID: String) async throws -> [StepRecord] {
        try await driver.read(SQLStatement(
            "SELECT \(Self.stepColumns) FROM \(operations) WHERE workflow_uuid = $1 ORDER BY function_id",
            [.text(workflowID)])).map(Self.stepRecord)
    }

    func step(workflowID: String, functionID: Int) async throws -> StepRecord? {
        try await driver.read(SQLStatement(
            "SELECT \(Self.stepColumns) FROM \(operations) WHERE workflow_uuid = $1 AND function_id = $2",
            [.text(workflowID), .int(Int64(functionID))])).first.map(Self.stepRecord)
    }

    private static func stepRecord(_ row: SQLRow) -> StepRecord {
        StepRecord(
            workflowID: row.string("workflow_uuid") ?? "", functionID: Int(row.int("function_id") ?? 0),
            functionName: row.string("function_name") ?? "", output: row.string("output"), error: row.string("error"),
            childWorkflowID: row.string("child_workflow_id"), startedAt: row.int("started_at_epoch_ms").map(Clock.date),
            completedAt: row.int("completed_at_epoch_ms").map(Clock.date), serialization: row.string("serialization"))
    }

    // MARK: Status and listing

    private var statusSelect: String {
        """
        SELECT ws.workflow_uuid, ws.status, ws.name, ws.class_name, ws.config_name, ws.queue_name, ws.executor_id,
               ws.application_version, ws.application_id, ws.authenticated_user, ws.recovery_attempts, ws.created_at,
               ws.updated_at, ws.started_at_epoch_ms, ws.completed_at, ws.workflow_timeout_ms,
               ws.workflow_deadline_epoch_ms, ws.deduplication_id, ws.priority, ws.queue_partition_key, ws.forked_from,
               ws.was_forked_from, ws.parent_workflow_id, ws.serialization
        """
    }

    private var payloadSelect: String {
        """
        , COALESCE(wi.inputs, ws.inputs) AS inputs, COALESCE(wo.output, ws.output) AS output,
          COALESCE(wo.error, ws.error) AS error
        FROM \(status) ws
        LEFT JOIN \(inputs) wi ON wi.workflow_uuid = ws.workflow_uuid
        LEFT JOIN \(outputs) wo ON wo.workflow_uuid = ws.workflow_uuid
        """
    }

    func workflowStatus(workflowID: String) async throws -> WorkflowStatus? {
        try await driver.read(SQLStatement(statusSelect + payloadSelect + " WHERE ws.workflow_uuid = $1", [.text(workflowID)]))
            .first.map(Self.workflowStatus)
    }

    func listWorkflows(_ filter: ListWorkflowsFilter) async throws -> [WorkflowStatus] {
        var conditions: [String] = []
        var binds: [SQLValue] = []
        func bind(_ value: SQLValue) -> String {
            binds.append(value)
            return "$\(binds.count)"
        }
        if let ids = filter.workflowIDs {
            if ids.isEmpty { return [] }
            conditions.append("ws.workflow_uuid IN (\(ids.map { bind(.text($0)) }.joined(separator: ", ")))")
        }
        if let prefix = filter.workflowIDPrefix {
            conditions.append("substr(ws.workflow_uuid, 1, CAST(\(bind(.int(Int64(prefix.count)))) AS INTEGER)) = \(bind(.text(prefix)))")
        }
        if let name = filter.name { conditions.append("ws.name = \(bind(.text(name)))") }
        if let states = filter.status {
            if states.isEmpty { return [] }
            conditions.append("ws.status IN (\(states.map { bind(.text($0.rawValue)) }.joined(separator: ", ")))")
        }
        if let queue = filter.queueName { conditions.append("ws.queue_name = \(bind(.text(queue)))") }
        if let version = filter.applicationVersion { conditions.append("ws.application_version = \(bind(.text(version)))") }
        if let executor = filter.executorID { conditions.append("ws.executor_id = \(bind(.text(executor)))") }
        if let parent = filter.parentWorkflowID { conditions.append("ws.parent_workflow_id = \(bind(.text(parent)))") }
        if let forked = filter.forkedFrom { conditions.append("ws.forked_from = \(bind(.text(forked)))") }
        if let after = filter.createdAfter { conditions.append("ws.created_at >= \(bind(.int(Clock.millis(after))))") }
        if let before = filter.createdBefore { conditions.append("ws.created_at <= \(bind(.int(Clock.millis(before))))") }
        if let after = filter.completedAfter { conditions.append("ws.completed_at >= \(bind(.int(Clock.millis(after))))") }
        if let before = filter.completedBefore { conditions.append("ws.completed_at <= \(bind(.int(Clock.millis(before))))") }
        var sql = statusSelect
        if filter.loadPayloads {
            sql += payloadSelect
        } else {
            sql += ", NULL AS inputs, NULL AS output, NULL AS error FROM \(status) ws"
        }
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        let direction = filter.sortDescending ? "DESC" : "ASC"
        sql += " ORDER BY ws.created_at \(direction), ws.workflow_uuid \(direction)"
        if let limit = filter.limit { sql += " LIMIT \(bind(.int(Int64(limit))))" }
        if let offset = filter.offset {
            if filter.limit == nil { sql += dialect.isPostgres ? "" : " LIMIT -1" }
            sql += " OFFSET \(bind(.int(Int64(offset))))"
        }
        return try await driver.read(SQLStatement(sql, binds)).map(Self.workflowStatus)
    }

    private static func workflowStatus(_ row: SQLRow) -> WorkflowStatus {
        WorkflowStatus(
            workflowID: row.string("workflow_uuid") ?? "", status: row.string("status") ?? "",
            name: row.string("name") ?? "", className: row.string("class_name"), configName: row.string("config_name"),
            queueName: row.string("queue_name"), executorID: row.string("executor_id"),
            applicationVersion: row.string("application_version"), applicationID: row.string("application_id"),
            authenticatedUser: row.string("authenticated_user"), recoveryAttempts: Int(row.int("recovery_attempts") ?? 0),
            createdAt: Clock.date(row.int("created_at") ?? 0), updatedAt: Clock.date(row.int("updated_at") ?? 0),
            startedAt: row.int("started_at_epoch_ms").map(Clock.date), completedAt: row.int("completed_at").map(Clock.date),
            timeoutMilliseconds: row.int("workflow_timeout_ms"), deadline: row.int("workflow_deadline_epoch_ms").map(Clock.date),
            deduplicationID: row.string("deduplication_id"), priority: Int(row.int("priority") ?? 0),
            partitionKey: row.string("queue_partition_key"), forkedFrom: row.string("forked_from"),
            wasForkedFrom: row.bool("was_forked_from") ?? false, parentWorkflowID: row.string("parent_workflow_id"),
            serialization: row.string("serialization"), input: row.string("inputs"), output: row.string("output"),
            error: row.string("error"))
    }

    // MARK: Recovery

    func pendingWorkflows(executorID: String, applicationVersion: String) async throws -> [(id: String, name: String)] {
        try await driver.read(SQLStatement(
            "SELECT workflow_uuid, name FROM \(status) WHERE status = 'PENDING' AND executor_id = $1 AND application_version = $2 ORDER BY created_at",
            [.text(executorID), .text(applicationVersion)]))
            .map { (id: $0.string("workflow_uuid") ?? "", name: $0.string("name") ?? "") }
    }

    func claimForRecovery(workflowID: String, ownerXID: String, maxAttempts: Int?) async throws -> RecoveryClaim {
        let now = Clock.nowMillis()
        return try await driver.transaction { executor in
            let claimed = try await executor.execute(SQLStatement("""
                UPDATE \(self.status) SET owner_xid = $2, recovery_attempts = recovery_attempts + 1, updated_at = $3
                WHERE workflow_uuid = $1 AND status = 'PENDING'
                RETURNING name, recovery_attempts, serialization
                """, [.text(workflowID), .text(ownerXID), .int(now)]))
            guard let row = claimed.first else { return .notPending }
            let attempts = Int(row.int("recovery_attempts") ?? 0)
            if let maxAttempts, attempts > maxAttempts + 1 {
                _ = try await executor.execute(SQLStatement("""
                    UPDATE \(self.status) SET status = 'MAX_RECOVERY_ATTEMPTS_EXCEEDED', owner_xid = NULL,
                        deduplication_id = NULL, queue_name = NULL, updated_at = $2
                    WHERE workflow_uuid = $1
                    """, [.text(workflowID), .int(now)]))
                return .exceeded(attempts: attempts - 1)
            }
            let input = try await executor.execute(SQLStatement(
                "SELECT COALESCE(wi.inputs, ws.inputs) AS inputs FROM \(self.status) ws LEFT JOIN \(self.inputs) wi ON wi.workflow_uuid = ws.workflow_uuid WHERE ws.workflow_uuid = $1",
                [.text(workflowID)]))
            return .claimed(name: row.string("name") ?? "", inputs: input.first?.string("inputs"),
                            serialization: row.string("serialization"), attempts: attempts)
        }
    }
}

/// Epoch-millisecond conversions used for every stored time.
enum Clock {
    static func nowMillis() -> Int64 { millis(Date()) }
    static func millis(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
    static func date(_ millis: Int64) -> Date { Date(timeIntervalSince1970: Double(millis) / 1000) }
}
