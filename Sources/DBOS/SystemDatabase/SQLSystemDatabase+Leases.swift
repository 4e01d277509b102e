import Foundation

/// Executor leases for the opt-in takeover mode, kept in DBOS's `event_dispatch_kv` table
/// (service `dbos-swift.executor-lease`, key = executor ID, value = expiry in epoch ms), so
/// the PostgreSQL schema stays exactly DBOS's. DBOS's SQLite schema has no such table: it is
/// created there, with the PostgreSQL table's shape, when a runtime turns takeover on.
extension SQLSystemDatabase {
    func prepareLeases() async throws {
        guard !driver.dialect.isPostgres else { return }
        _ = try await driver.write(SQLStatement("""
            CREATE TABLE IF NOT EXISTS \(leases) (
                service_name TEXT NOT NULL, workflow_fn_name TEXT NOT NULL, key TEXT NOT NULL, value TEXT,
                update_seq NUMERIC, update_time NUMERIC, PRIMARY KEY (service_name, workflow_fn_name, key))
            """))
    }

    static let leaseService = "dbos-swift.executor-lease"
    private var leases: String { driver.dialect.table("event_dispatch_kv") }
    private var status: String { driver.dialect.table("workflow_status") }

    func renewLease(executorID: String, expiresAt: Int64) async throws {
        _ = try await driver.write(SQLStatement("""
            INSERT INTO \(leases) (service_name, workflow_fn_name, key, value, update_time)
            VALUES ($1, '', $2, $3, $4)
            ON CONFLICT (service_name, workflow_fn_name, key) DO UPDATE SET value = excluded.value, update_time = excluded.update_time
            """, [.text(Self.leaseService), .text(executorID), .text(String(expiresAt)), .double(Date().timeIntervalSince1970)]))
    }

    func expiredLeases(now: Int64, excluding: String) async throws -> [String] {
        try await driver.read(SQLStatement(
            "SELECT key, value FROM \(leases) WHERE service_name = $1 AND workflow_fn_name = '' AND key <> $2",
            [.text(Self.leaseService), .text(excluding)]))
            .filter { row in Int64(row.string("value") ?? "").map { $0 < now } ?? true }
            .compactMap { $0.string("key") }
    }

    func takeOver(deadExecutorID: String, newExecutorID: String, applicationVersion: String,
                  workflowNames: [String]) async throws -> [(id: String, name: String)] {
        guard !workflowNames.isEmpty else { return [] }
        let now = Clock.nowMillis()
        return try await driver.transaction { executor in
            let names = workflowNames.indices.map { "$\($0 + 5)" }.joined(separator: ", ")
            let mine: [SQLValue] = [.text(deadExecutorID), .text(newExecutorID), .text(applicationVersion), .int(now)]
                + workflowNames.map { .text($0) }
            let scope = "status = 'PENDING' AND executor_id = $1 AND application_version = $3 AND name IN (\(names))"
            // Queued work goes back on its queue (its limits apply again); the row's executor is
            // this one until a worker claims it. The conditional updates let only one taker win a row.
            _ = try await executor.execute(SQLStatement("""
                UPDATE \(self.status) SET status = 'ENQUEUED', owner_xid = NULL, started_at_epoch_ms = NULL,
                    executor_id = $2, updated_at = $4
                WHERE \(scope) AND queue_name IS NOT NULL
                """, mine))
            let taken = try await executor.execute(SQLStatement("""
                UPDATE \(self.status) SET executor_id = $2, updated_at = $4
                WHERE \(scope) AND queue_name IS NULL
                RETURNING workflow_uuid, name
                """, mine))
            let left = try await executor.execute(SQLStatement(
                "SELECT count(*) AS n FROM \(self.status) WHERE status = 'PENDING' AND executor_id = $1", [.text(deadExecutorID)]))
            if left.first?.int("n") == 0 {
                _ = try await executor.execute(SQLStatement(
                    "DELETE FROM \(self.leases) WHERE service_name = $1 AND workflow_fn_name = '' AND key = $2",
                    [.text(Self.leaseService), .text(deadExecutorID)]))
            }
            return taken.map { (id: $0.string("workflow_uuid") ?? "", name: $0.string("name") ?? "") }
        }
    }
}
