import DBOSTestSupport
import Foundation
@testable import DBOS

/// Permanent database errors on demand: triggers in the system database that make chosen writes
/// of chosen workflows fail (a real error from the real server, not a mock) while a row in
/// `dbos.test_faults` names them.
///
/// - `complete`: the write that completes the workflow (its status becomes SUCCESS);
/// - `claim`: a recovery claim (its recovery attempts grow);
/// - `record`: any operation record (step checkpoint) of the workflow;
/// - `requeue`: putting a claimed (PENDING) queued workflow back on its queue.
enum InjectedFault: String, CaseIterable {
    case complete, claim, record, requeue

    /// Installs the fault table and triggers (once per database).
    static func install(_ dbos: DBOS) async throws {
        _ = try await dbos.rawSQL("CREATE TABLE dbos.test_faults (workflow_uuid TEXT NOT NULL, kind TEXT NOT NULL)")
        if dbos.backendName == "postgres" {
            _ = try await dbos.rawSQL("""
                CREATE FUNCTION dbos.injected_fault() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF EXISTS (SELECT 1 FROM dbos.test_faults f WHERE f.workflow_uuid = NEW.workflow_uuid AND f.kind = TG_ARGV[0]) THEN
                        RAISE EXCEPTION 'injected permanent fault (%)', TG_ARGV[0];
                    END IF;
                    RETURN NEW;
                END $$
                """)
        }
        for fault in allCases {
            _ = try await dbos.rawSQL(SQLQuery(stringLiteral: fault.trigger(postgres: dbos.backendName == "postgres")))
        }
    }

    private var table: String { self == .record ? "operation_outputs" : "workflow_status" }
    private var event: String { self == .record ? "INSERT" : "UPDATE" }
    private var condition: String {
        switch self {
        case .complete: "NEW.status = 'SUCCESS'"
        case .claim: "NEW.recovery_attempts > OLD.recovery_attempts"
        case .record: "TRUE"
        case .requeue: "NEW.status = 'ENQUEUED' AND OLD.status = 'PENDING'"
        }
    }

    private func trigger(postgres: Bool) -> String {
        let name = "test_fault_\(rawValue)"
        if postgres {
            return """
                CREATE TRIGGER \(name) BEFORE \(event) ON dbos.\(table) FOR EACH ROW WHEN (\(condition))
                EXECUTE FUNCTION dbos.injected_fault('\(rawValue)')
                """
        }
        return """
            CREATE TRIGGER \(name) BEFORE \(event) ON dbos.\(table) FOR EACH ROW
            WHEN \(condition) AND EXISTS (SELECT 1 FROM dbos.test_faults f WHERE f.workflow_uuid = NEW.workflow_uuid AND f.kind = '\(rawValue)')
            BEGIN SELECT RAISE(ABORT, 'injected permanent fault (\(rawValue))'); END
            """
    }

    /// Makes this kind of write of `workflowID` fail from now on.
    func inject(_ workflowID: String, into dbos: DBOS) async throws {
        _ = try await dbos.rawSQL("INSERT INTO dbos.test_faults (workflow_uuid, kind) VALUES (\(workflowID), \(rawValue))")
    }

    /// Lets this kind of write of `workflowID` succeed again.
    func clear(_ workflowID: String, in dbos: DBOS) async throws {
        _ = try await dbos.rawSQL("DELETE FROM dbos.test_faults WHERE workflow_uuid = \(workflowID) AND kind = \(rawValue)")
    }
}
