import Foundation
import Synchronization

/// Whether an execution runs operations its history lacks (``live``) or stops at the first one
/// (``replayOnly``: a replay check, which executes no step and writes nothing).
enum ExecutionMode: Sendable {
    case live
    case replayOnly
}

/// A replay check reached an operation its history lacks (`recorded` nil) or has under
/// another name.
struct HistoryEnded: Error {
    let functionID: Int
    let recorded: String?
    let requested: String
}

/// An operation that a workflow execution of this runtime has just finished and recorded.
@_spi(DBOSTesting)
public struct OperationEvent: Sendable {
    /// The workflow the operation belongs to.
    public let workflowID: String
    /// The operation's ID (1 for a workflow's first operation, in program order).
    public let functionID: Int
    /// The operation's recorded name (a step's name, or `DBOS.sleep`, `DBOS.recv`, ...).
    public let name: String
}

/// What DBOSTesting installs in a runtime; empty in production.
final class TestingHooks: Sendable {
    /// Called after each operation a live execution records, in the workflow's task; a throw
    /// ends the execution as a crash would (nothing more is recorded).
    let operationObserver = Mutex<(@Sendable (OperationEvent) async throws -> Void)?>(nil)
}

extension DBOS {
    var operationObserver: (@Sendable (OperationEvent) async throws -> Void)? {
        testingHooks.operationObserver.withLock { $0 }
    }

    /// Calls `observer` after each operation a workflow of this runtime records (not on
    /// replay), in the workflow's task, before its next operation. For DBOSTesting's crash
    /// helper: an observer that suspends until cancelled stops the workflow right there.
    @_spi(DBOSTesting)
    public func observeOperations(_ observer: (@Sendable (OperationEvent) async throws -> Void)?) {
        testingHooks.operationObserver.withLock { $0 = observer }
    }

    /// Tells the runtime that its ``DBOSConfig/clock`` jumped forward: delayed and timed-out
    /// workflows and queue rate-limit windows are checked now rather than at the next poll.
    /// (Sleeps, timeouts and cron ticks wait on the clock itself and need no telling.)
    @_spi(DBOSTesting)
    public func clockAdvanced() {
        hub.signal(WakeupHub.maintenanceKey)
        hub.signalQueues()
    }

    /// Stops the runtime as a crash would, as far as the database can tell: workflows are
    /// cancelled where they are (a step body in flight records nothing), nothing is drained,
    /// and unfinished workflows stay PENDING for the next runtime on this database to recover.
    @_spi(DBOSTesting)
    public func halt() async {
        await shutdown(timeout: .zero)
    }
}
