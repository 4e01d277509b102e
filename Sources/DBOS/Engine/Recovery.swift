import Foundation
import Logging

extension DBOS {
    /// Resumes every PENDING workflow of this executor and application version.
    ///
    /// Each is claimed (its recovery attempt counted), its recorded operations loaded once,
    /// and its body run again; completed steps replay from their records. Called by
    /// ``launch()``; call it again to recover work left by a crashed process with the same executor ID.
    @discardableResult
    public func recoverPendingWorkflows() async throws -> RecoveryReport {
        try requireLaunched("recovering workflows")
        var report = RecoveryReport()
        // Claimed queue work left by a crash goes back on its queue, where the queue's limits
        // apply again; what still runs in this process stays with it.
        let requeued = try await systemDatabase.requeuePending(executorID: executorID, applicationVersion: applicationVersion,
                                                               isRunningHere: running.isRunning)
        if requeued > 0 { logger.info("re-enqueued claimed queue workflows", metadata: ["count": "\(requeued)"]) }
        let pending = try await systemDatabase.pendingWorkflows(executorID: executorID, applicationVersion: applicationVersion)
        // Queue work is not claimed here: what did not run here was just put back on its queue,
        // and a PENDING row of a queue now is one a dispatcher claimed since (its execution may
        // not have begun yet). Claiming it again would count a second attempt and supersede that
        // execution (a flaky `recoveryAttempts == 2` in HandBackTests showed this race).
        for workflow in pending where workflow.queueName == nil && !running.isRunning(workflow.id) {
            do {
                if try await recover(workflow) {
                    report.recovered.append(workflow.id)
                }
            } catch {
                let failure = error as? DBOSError ?? DBOSError.databaseError(operation: "recovering \(workflow.id)", reason: "\(error)")
                report.failures.append((workflow.id, failure))
                if Self.recoveryMayLaterSucceed(failure) { handBack(workflow.id, because: "recovery failed: \(failure)") }
            }
        }
        if !report.recovered.isEmpty {
            logger.info("recovering workflows", metadata: ["count": "\(report.recovered.count)"])
        }
        return report
    }

    /// Startup's recovery pass. When it cannot run at all (listing this executor's work fails
    /// with a permanent database error), the launch goes on (the database is open and migrated;
    /// new work can run) and the pass is retried in the background with the hand-back backoff
    /// until it succeeds, so a restart is never needed to resume what a crash left.
    func recoverAtStartup() async -> RecoveryReport {
        do {
            return try await recoverPendingWorkflows()
        } catch {
            let failure = error as? DBOSError ?? DBOSError.databaseError(operation: "recovering workflows", reason: "\(error)")
            logger.error("could not recover this executor's workflows at launch; retrying in the background",
                         metadata: ["error": "\(failure)"])
            tasks.spawn { await self.retryStartupRecovery() }
            var report = RecoveryReport()
            report.deferred = failure
            return report
        }
    }

    private func retryStartupRecovery() async {
        var attempts = 1
        while !Task.isCancelled && !isShuttingDown {
            do {
                try await Task.sleep(for: HandedBack.delay(afterAttempts: attempts))
                let report = try await recoverPendingWorkflows()
                logger.notice("recovered this executor's workflows after a failed launch pass", metadata: [
                    "recovered": "\(report.recovered.count)", "failures": "\(report.failures.count)",
                ])
                return
            } catch {
                if Task.isCancelled || isShuttingDown { return }
                attempts += 1
                logger.warning("recovering this executor's workflows failed again", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Claims and resumes one workflow. Checks run before the claim, so a workflow this
    /// process cannot run (unknown name, foreign serialization) is left exactly as it was.
    func recover(_ workflow: PendingWorkflow) async throws -> Bool {
        let workflowID = workflow.id, name = workflow.name
        guard let registration = registration(named: name) else {
            throw DBOSError.workflowNotRegistered(name: name)
        }
        if let status = try await systemDatabase.workflowStatus(workflowID: workflowID) {
            try PortableJSON.requireReadable(status.serialization, what: "inputs of workflow '\(workflowID)'")
        }
        let ownerXID = UUID().uuidString.lowercased()
        let maxAttempts = registration.maxRecoveryAttempts ?? config.maxRecoveryAttempts
        switch try await systemDatabase.claimForRecovery(workflow, ownerXID: ownerXID, maxAttempts: maxAttempts) {
        case .notPending:
            return false
        case .exceeded(let attempts):
            throw DBOSError.maxRecoveryAttemptsExceeded(workflowID: workflowID, attempts: attempts)
        case .claimed(let inputs, let deadline, let attempts, let attributes):
            let recorded = try await systemDatabase.steps(workflowID: workflowID)
            execute(registration, workflowID: workflowID, inputs: inputs ?? PortableJSON.noArguments,
                    ownerXID: ownerXID, recorded: recorded, deadlineEpochMilliseconds: deadline,
                    trace: .stored(.recovered, attributes: attributes, recoveryAttempt: max(attempts - 1, 0)))
            return true
        }
    }
}
