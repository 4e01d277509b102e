import Foundation

/// Retention: deleting finished workflows, with everything recorded for them, in bounded batches.
extension SQLSystemDatabase {
    /// The states a workflow does not leave by itself. (A cancelled one can be resumed, but
    /// one older than the retention cut is taken as abandoned.)
    static let finished: SQLFragment = "status IN ('SUCCESS', 'ERROR', 'CANCELLED', 'MAX_RECOVERY_ATTEMPTS_EXCEEDED')"

    func garbageCollect(completedBefore cut: Int64?, keepLatest: Int?, batchSize: Int) async throws -> GarbageCollectionReport {
        guard var cutoff = cut ?? (keepLatest != nil ? Int64.max : nil) else { return GarbageCollectionReport() }
        if let keepLatest, keepLatest > 0 {
            // The completion time of the keepLatest-th newest finished workflow: only older ones go.
            let rows = try await driver.read("""
                SELECT completed_at FROM \(tables.status) WHERE completed_at IS NOT NULL AND \(Self.finished)
                ORDER BY completed_at DESC LIMIT 1 OFFSET \(keepLatest - 1)
                """)
            guard let newestKept: Int64 = try rows.first?.decode("completed_at") else { return GarbageCollectionReport() }
            cutoff = min(cutoff, newestKept)
        }
        var report = GarbageCollectionReport()
        while true {
            try Task.checkCancellation()
            let batch = try await driver.read("""
                SELECT workflow_uuid FROM \(tables.status)
                WHERE completed_at IS NOT NULL AND completed_at < \(cutoff) AND \(Self.finished)
                ORDER BY completed_at LIMIT \(batchSize)
                """).map { try $0.decode("workflow_uuid") as String }
            guard !batch.isEmpty else { break }
            // A deleted workflow's finished descendants go with it, whenever they finished.
            report = report + (try await deleteFinished(try await withDescendants(batch, includeChildren: true)))
            if batch.count < batchSize { break }
            await Task.yield()   // one short transaction per batch: workers' writes interleave
        }
        return report
    }

    /// Deletes those of `candidates` that are still finished, in one transaction.
    private func deleteFinished(_ candidates: [String]) async throws -> GarbageCollectionReport {
        let tables = self.tables
        let selected = dialect.values(candidates)
        return try await driver.transaction { executor in
            // Locks the rows (PostgreSQL; SQLite's writer is alone) and keeps only those still
            // finished: one resumed meanwhile is not touched.
            let ids: [String] = try await executor.execute("""
                UPDATE \(tables.status) SET updated_at = updated_at
                WHERE workflow_uuid IN (\(selected)) AND \(Self.finished) RETURNING workflow_uuid
                """).map { try $0.decode("workflow_uuid") }
            guard !ids.isEmpty else { return GarbageCollectionReport() }
            let confirmed = self.dialect.values(ids)
            let counts = try await executor.execute("""
                SELECT (SELECT count(*) FROM \(tables.operations) WHERE workflow_uuid IN (\(confirmed))) AS steps,
                       (SELECT count(*) FROM \(tables.notifications) WHERE destination_uuid IN (\(confirmed))) AS messages,
                       (SELECT count(*) FROM \(tables.events) WHERE workflow_uuid IN (\(confirmed))) AS events,
                       (SELECT count(*) FROM \(tables.streams) WHERE workflow_uuid IN (\(confirmed))) AS stream_values
                """).first
            for table in [tables.operations, tables.inputs, tables.outputs] {
                _ = try await executor.execute("DELETE FROM \(table) WHERE workflow_uuid IN (\(confirmed))")
            }
            // Messages, events and streams go by their foreign keys' ON DELETE CASCADE.
            _ = try await executor.execute("DELETE FROM \(tables.status) WHERE workflow_uuid IN (\(confirmed))")
            return GarbageCollectionReport(
                workflows: ids.count, steps: try counts?.decode("steps") ?? 0, messages: try counts?.decode("messages") ?? 0,
                events: try counts?.decode("events") ?? 0, streamValues: try counts?.decode("stream_values") ?? 0)
        }
    }
}
