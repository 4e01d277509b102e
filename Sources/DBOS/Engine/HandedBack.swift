import Foundation
import Logging
import Synchronization

/// Workflows of this executor that were left PENDING here for a reason that is not theirs: an
/// execution stopped by a permanent system-database error (its completion could not be
/// written, or a checkpoint failed), a recovery that failed, an execution stopped because this
/// executor's lease lapsed. Each is recovered again after a backoff, so a live process never
/// strands its own work until the next restart.
///
/// A workflow that keeps failing spends its recovery attempts: past
/// ``DBOSConfig/maxRecoveryAttempts`` it is dead-lettered, as after repeated crashes.
final class HandedBack: Sendable {
    private struct Entry {
        var attempts: Int
        /// When to recover it; nil while an execution recovered from the hand-back runs (a new
        /// hand-back then counts one more attempt, so the backoff grows).
        var due: ContinuousClock.Instant?
    }

    private let entries = Mutex<[String: Entry]>([:])

    /// The first wait before recovering a handed-back workflow, and the longest.
    static let firstDelay = Duration.seconds(1)
    static let longestDelay = Duration.seconds(30)

    /// Hands `workflowID` back for recovery after the next backoff delay (growing with each
    /// hand-back of the same workflow, with ±25% jitter). Returns that delay.
    @discardableResult
    func handBack(_ workflowID: String) -> Duration {
        entries.withLock { entries in
            let attempts = (entries[workflowID]?.attempts ?? 0) + 1
            let delay = Self.delay(afterAttempts: attempts)
            entries[workflowID] = Entry(attempts: attempts, due: .now + delay)
            return delay
        }
    }

    /// Hands `workflowID` back to be recovered at the next look (once its execution here ends).
    func handBackNow(_ workflowID: String) {
        entries.withLock { entries in
            entries[workflowID] = Entry(attempts: entries[workflowID]?.attempts ?? 0, due: .now)
        }
    }

    /// Looks at `workflowID` again in a second without counting an attempt (its execution here
    /// has not ended yet).
    func postpone(_ workflowID: String) {
        entries.withLock { $0[workflowID]?.due = .now + .seconds(1) }
    }

    /// The workflow no longer needs recovering here (finished elsewhere, or not ours).
    func settle(_ workflowID: String) {
        _ = entries.withLock { $0.removeValue(forKey: workflowID) }
    }

    /// The workflow was recovered: its execution runs now.
    func recovered(_ workflowID: String) {
        entries.withLock { $0[workflowID]?.due = nil }
    }

    /// An execution of the workflow ended: unless it was handed back again meanwhile, the
    /// workflow no longer needs recovering here.
    func executionEnded(_ workflowID: String) {
        entries.withLock { entries in
            if let entry = entries[workflowID], entry.due == nil { entries.removeValue(forKey: workflowID) }
        }
    }

    /// The workflows due now.
    func due() -> [String] {
        let now = ContinuousClock.now
        return entries.withLock { $0.filter { $0.value.due.map { $0 <= now } ?? false }.map(\.key) }
    }

    /// When the next workflow is due, if any is handed back.
    var nextDue: ContinuousClock.Instant? { entries.withLock { $0.values.compactMap(\.due).min() } }

    static func delay(afterAttempts attempts: Int) -> Duration {
        let doublings = min(max(attempts - 1, 0), 10)
        let base = min(firstDelay * (1 << doublings), longestDelay)
        return base * Double.random(in: 0.75...1.25)
    }
}

extension DBOS {
    /// Hands a workflow back for local recovery after a backoff, and wakes the loop that does it.
    func handBack(_ workflowID: String, because reason: String) {
        let delay = handedBack.handBack(workflowID)
        logger.warning("workflow handed back for recovery", metadata: [
            "workflowID": "\(workflowID)", "reason": "\(reason)", "retryIn": "\(delay)",
        ])
        hub.signal(WakeupHub.handedBackKey)
    }

    /// The loop that recovers handed-back workflows when they are due: a workflow still running
    /// here is looked at again once it stops; one no longer PENDING on this executor (finished,
    /// cancelled, taken over) is dropped; a queued one goes back on its queue; any other is
    /// claimed and resumed like at startup. A failed recovery is handed back again, unless it
    /// cannot succeed here (unknown workflow, foreign serialization, attempts used up).
    func recoverHandedBack() async {
        while !Task.isCancelled && !isShuttingDown {
            let registration = hub.register(WakeupHub.handedBackKey)
            for workflowID in handedBack.due() {
                guard !isShuttingDown else { break }
                await recoverHandedBack(workflowID)
            }
            let wait = handedBack.nextDue.map { max($0 - .now, .milliseconds(10)) } ?? .seconds(60)
            await hub.wait(registration, timeout: wait)
        }
    }

    private func recoverHandedBack(_ workflowID: String) async {
        if running.isRunning(workflowID) { return handedBack.postpone(workflowID) }
        do {
            guard let workflow = try await systemDatabase.pendingWorkflow(
                workflowID: workflowID, executorID: executorID, applicationVersion: applicationVersion) else {
                return handedBack.settle(workflowID)
            }
            if let queue = workflow.queueName {
                // Back on its queue, where its limits apply; each claim counts an attempt.
                if try await systemDatabase.requeue(workflow) { hub.signal(WakeupHub.queueKey(queue)) }
                handedBack.settle(workflowID)
                logger.notice("handed-back workflow put back on its queue", metadata: ["workflowID": "\(workflowID)", "queue": "\(queue)"])
            } else if try await recover(workflow) {
                handedBack.recovered(workflowID)
                logger.notice("handed-back workflow recovered", metadata: ["workflowID": "\(workflowID)"])
            } else {
                // Claimed by someone else, or no longer PENDING here, since it was listed.
                handedBack.settle(workflowID)
                logger.info("handed-back workflow moved on before it was claimed", metadata: ["workflowID": "\(workflowID)"])
            }
        } catch {
            guard Self.recoveryMayLaterSucceed(error) else {
                logger.error("could not recover handed-back workflow", metadata: ["workflowID": "\(workflowID)", "error": "\(error)"])
                return handedBack.settle(workflowID)
            }
            handBack(workflowID, because: "recovery failed: \(error)")
        }
    }

    /// Whether a failed recovery is worth trying again: a database failure may pass; an unknown
    /// workflow, an unreadable encoding or a spent recovery budget will not.
    static func recoveryMayLaterSucceed(_ error: any Error) -> Bool {
        guard let error = error as? DBOSError else { return true }
        return ![.workflowNotRegistered, .unsupportedSerialization, .maxRecoveryAttemptsExceeded, .malformedRow,
                 .decodingFailed, .shuttingDown].contains(error.code)
    }
}
