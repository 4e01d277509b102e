import Foundation
import Logging

/// The opt-in takeover mode (``DBOSConfig/executorLease``): this process keeps a lease in the
/// system database, and takes over the PENDING workflows of executors whose lease expired.
extension DBOS {
    /// Takes the first lease (before recovery, so peers never see this executor as dead
    /// while it starts) and starts the keeper. Nothing when takeover is off.
    func startLeaseKeeper() async throws {
        guard let lease = config.executorLease else { return }
        guard lease >= .milliseconds(300) else {
            throw DBOSError.invalidArgument("executorLease must be at least 300 ms, got \(lease)")
        }
        try await systemDatabase.prepareLeases()
        try await systemDatabase.renewLease(executorID: executorID, expiresAt: Date().epochMilliseconds + lease.milliseconds)
        tasks.spawn { await self.keepLease(lease) }
    }

    /// Every third of the lease: renew it, then take over expired executors' work. When the
    /// lease could not be renewed in time, local executions are stopped (they may be taken
    /// over elsewhere); once it is renewed again, what is still ours is recovered.
    private func keepLease(_ lease: Duration) async {
        var validUntil = ContinuousClock.now + lease
        var fenced = false
        while !Task.isCancelled && !isShuttingDown {
            let registration = hub.register(WakeupHub.leaseKey)
            await hub.wait(registration, timeout: lease / 3)
            guard !isShuttingDown else { return }
            do {
                let renewedAt = ContinuousClock.now
                try await systemDatabase.renewLease(executorID: executorID, expiresAt: Date().epochMilliseconds + lease.milliseconds)
                validUntil = renewedAt + lease
                if fenced {
                    fenced = false
                    logger.notice("executor lease renewed again; recovering this executor's workflows")
                    try await recoverPendingWorkflows()
                }
                try await takeOverExpiredExecutors()
            } catch {
                if isShuttingDown { return }
                logger.warning("executor lease upkeep failed", metadata: ["error": "\(error)"])
                if !fenced && ContinuousClock.now >= validUntil {
                    fenced = true
                    logger.error("executor lease expired: stopping local workflow executions at their next step")
                    for (workflowID, _) in running.owned { running.markCancelled(workflowID) }
                }
            }
        }
    }

    /// Takes over the workflows of every executor whose lease has expired.
    private func takeOverExpiredExecutors() async throws {
        for dead in try await systemDatabase.expiredLeases(now: Date().epochMilliseconds, excluding: executorID) {
            let taken = try await systemDatabase.takeOver(
                deadExecutorID: dead, newExecutorID: executorID, applicationVersion: applicationVersion,
                workflowNames: registeredWorkflowNames)
            for queue in registeredQueues { hub.signal(WakeupHub.queueKey(queue.name)) }
            if !taken.isEmpty {
                logger.notice("taking over workflows of an executor whose lease expired",
                              metadata: ["deadExecutor": "\(dead)", "count": "\(taken.count)"])
            }
            for workflow in taken where !running.isRunning(workflow.id) {
                do {
                    _ = try await recover(workflow)
                } catch {
                    logger.error("could not take over workflow", metadata: ["workflowID": "\(workflow.id)", "error": "\(error)"])
                }
            }
        }
    }
}
