import Foundation

/// Executor leases for the opt-in takeover mode, kept in DBOS's `event_dispatch_kv` table
/// (service `dbos-swift.executor-lease`, key = executor ID, value = expiry in epoch ms), so
/// the PostgreSQL schema stays exactly DBOS's. DBOS's SQLite schema has no such table: it is
/// created there, with the PostgreSQL table's shape, when a runtime turns takeover on.
extension SQLSystemDatabase {
    static let leaseService = "dbos-swift.executor-lease"

    func prepareLeases() async throws {
        _ = try await driver.write("""
            CREATE TABLE IF NOT EXISTS \(tables.leases) (
                service_name TEXT NOT NULL, workflow_fn_name TEXT NOT NULL, key TEXT NOT NULL, value TEXT,
                update_seq NUMERIC, update_time NUMERIC, PRIMARY KEY (service_name, workflow_fn_name, key))
            """)
    }

    /// Renews this executor's lease until `lease` after now on the database's clock.
    func renewLease(executorID: String, lease: Duration) async throws {
        let now = dialect.nowMilliseconds
        _ = try await driver.write("""
            INSERT INTO \(tables.leases) (service_name, workflow_fn_name, key, value, update_time)
            VALUES (\(Self.leaseService), '', \(executorID), CAST(\(now) + \(lease.milliseconds) AS TEXT), \(Date().timeIntervalSince1970))
            ON CONFLICT (service_name, workflow_fn_name, key) DO UPDATE SET value = excluded.value, update_time = excluded.update_time
            """)
    }

    /// Executors whose lease ended before now on the database's clock (an unreadable expiry counts as ended).
    func expiredLeases(excluding: String) async throws -> [String] {
        try await driver.read("""
            SELECT key, value, \(dialect.nowMilliseconds) AS now FROM \(tables.leases)
            WHERE service_name = \(Self.leaseService) AND workflow_fn_name = '' AND key <> \(excluding)
            """)
            .filter { row in
                let now: Int64 = try row.decode("now")
                return Int64((try? row.decode("value", as: String?.self)) ?? "").map { $0 < now } ?? true
            }
            .map { try $0.decode("key") }
    }

    func takeOver(deadExecutorID: String, newExecutorID: String, applicationVersion: String,
                  workflowNames: [String]) async throws -> [PendingWorkflow] {
        guard !workflowNames.isEmpty else { return [] }
        let now = clock.nowMilliseconds
        let tables = self.tables
        return try await driver.transaction { executor in
            let scope: SQLQuery = """
                status = 'PENDING' AND executor_id = \(deadExecutorID) AND application_version = \(applicationVersion)
                AND name IN (\(list: workflowNames))
                """
            // Queued work goes back on its queue (its limits apply again); the row's executor is
            // this one until a worker claims it. The conditional updates let only one taker win a row.
            _ = try await executor.execute("""
                UPDATE \(tables.status) SET status = 'ENQUEUED', owner_xid = NULL, started_at_epoch_ms = NULL,
                    executor_id = \(newExecutorID), updated_at = \(now)
                WHERE \(scope) AND queue_name IS NOT NULL
                """)
            _ = try await executor.execute("""
                UPDATE \(tables.status) SET executor_id = \(newExecutorID), updated_at = \(now)
                WHERE \(scope) AND queue_name IS NULL
                """)
            // What this call took, read back by its mark (this executor, this call's `now`,
            // chosen once before any try): a retry whose first try committed but lost its answer
            // finds the rows that try took, rather than nothing, which would strand them here.
            let taken = try await executor.execute("""
                SELECT workflow_uuid, name, executor_id, owner_xid, queue_name FROM \(tables.status)
                WHERE status = 'PENDING' AND executor_id = \(newExecutorID) AND updated_at = \(now) AND queue_name IS NULL
                  AND application_version = \(applicationVersion) AND name IN (\(list: workflowNames))
                """)
            let left = try await executor.execute(
                "SELECT count(*) AS n FROM \(tables.status) WHERE status = 'PENDING' AND executor_id = \(deadExecutorID)")
            if try left.first?.decode("n", as: Int.self) == 0 {
                _ = try await executor.execute("""
                    DELETE FROM \(tables.leases) WHERE service_name = \(Self.leaseService) AND workflow_fn_name = '' AND key = \(deadExecutorID)
                    """)
            }
            return try taken.map(PendingWorkflow.init(row:))
        }
    }
}
