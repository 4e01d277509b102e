import Foundation
import Logging

/// The group commits of a server database (see ``GroupCommit``): each write's multi-row
/// statement, and the same statement for one write alone.
extension SQLSystemDatabase {
    static func groupCommits(driver: any SQLDriver, tables: Tables, clock: any DBOSClock, logger: Logger, metrics: RuntimeMetrics) -> (
        records: GroupCommit<OwnedRecord, Bool>, completions: GroupCommit<Completion, Bool>,
        inserts: GroupCommit<WorkflowInsert, WorkflowInsertResult>
    ) {
        let records = GroupCommit<OwnedRecord, Bool>(
            "operation records", maxBatch: 500, logger: logger,   // ten binds each
            writeMany: { records in
                metrics.checkpointBatch(size: records.count, backend: "postgres")
                let rows = try await driver.write(Self.stepInsert(records, tables: tables))
                let written = Set(try rows.map { row in "\(try row.decode("workflow_uuid", as: String.self)) \(try row.decode("function_id", as: Int.self))" })
                return records.map { written.contains("\($0.record.workflowID) \($0.record.functionID)") }
            },
            writeOne: { owned in
                metrics.checkpointBatch(size: 1, backend: "postgres")
                return try await !driver.write(Self.stepInsert(owned.record, ownerXID: owned.ownerXID, tables: tables)).isEmpty
            })
        let completions = GroupCommit<Completion, Bool>(
            "completions", maxBatch: 500, logger: logger,   // five binds each
            writeMany: { completions in
                metrics.checkpointBatch(size: completions.count, backend: "postgres")
                let rows = try await driver.write(Self.completionUpdate(completions, at: clock.nowMilliseconds, tables: tables))
                let written = Set(try rows.map { try $0.decode("workflow_uuid", as: String.self) })
                return completions.map { written.contains($0.workflowID) }
            },
            writeOne: { completion in
                metrics.checkpointBatch(size: 1, backend: "postgres")
                return try await !driver.write(Self.completionUpdate([completion], at: clock.nowMilliseconds, tables: tables)).isEmpty
            })
        let inserts = GroupCommit<WorkflowInsert, WorkflowInsertResult>(
            "workflow inserts", maxBatch: 200, logger: logger,   // 25 binds each
            writeMany: { inserts in
                metrics.checkpointBatch(size: inserts.count, backend: "postgres")
                // One workflow ID twice in a statement is an error there: the batch then
                // falls back to one insert at a time, which gives each its own answer.
                let rows = try await driver.write(Self.workflowInsert(inserts, tables: tables))
                var byID: [String: SQLRow] = [:]
                for row in rows { byID[try row.decode("workflow_uuid")] = row }
                return try inserts.map { try Self.insertResult(byID[$0.workflowID].map { [$0] } ?? [], $0) }
            },
            writeOne: { insert in
                metrics.checkpointBatch(size: 1, backend: "postgres")
                return try Self.insertResult(try await driver.write(Self.workflowInsert([insert], tables: tables)), insert)
            })
        return (records, completions, inserts)
    }
}
