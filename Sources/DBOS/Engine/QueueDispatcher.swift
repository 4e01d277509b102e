import Foundation
import Logging

extension DBOS {
    /// Starts one dispatcher per registered queue and the maintenance loop.
    func startQueues() async throws {
        for queue in registeredQueues where queue.name != QueueDefinition.internalQueueName {
            try await systemDatabase.upsertQueue(queue)
        }
        for queue in registeredQueues {
            tasks.spawn { await self.dispatch(queue) }
        }
        tasks.spawn { await self.maintain() }
        tasks.spawn { await self.sampleQueueMetrics() }
        if let retention = config.retention { tasks.spawn { await self.runRetention(retention) } }
    }

    /// Most workflows of one queue a process runs at once when the queue sets no `workerConcurrency`.
    static let defaultWorkerConcurrency = 64

    /// Claims and runs a queue's workflows while the runtime is up. Claims up to the free
    /// local slots; waits for a local signal (an enqueue here, a finished workflow) or the
    /// queue's polling interval before looking again.
    private func dispatch(_ queue: QueueDefinition) async {
        let key = WakeupHub.queueKey(queue.name)
        let names = registeredWorkflowNames
        while !Task.isCancelled && !isShuttingDown {
            let registration = hub.register(key)
            var moreWaiting = false
            var wait = queue.pollingInterval
            do {
                moreWaiting = try await claimRound(queue, workflowNames: names)
            } catch {
                if !isShuttingDown {
                    logger.warning("queue dispatch failed; retrying", metadata: ["queue": "\(queue.name)", "error": "\(error)"])
                }
                wait = min(wait, .milliseconds(500))   // a transient database error must not stall the queue
            }
            if moreWaiting {
                hub.cancel(registration)
                await Task.yield()
            } else {
                await hub.wait(registration, timeout: wait)
            }
        }
    }

    /// Claims and starts what the free local slots allow, per partition on a partitioned
    /// queue. Returns true when a claim got all it asked for (more work may be waiting).
    private func claimRound(_ queue: QueueDefinition, workflowNames: [String]) async throws -> Bool {
        let stranded = try await systemDatabase.strandedClaims(queueName: queue.name)
        if !stranded.isEmpty {
            logger.warning("starting workflows that a retried queue claim took without an answer",
                           metadata: ["queue": "\(queue.name)", "workflowIDs": "\(stranded.map(\.workflowID))"])
            await start(stranded, queue: queue.name)
        }
        let workerLimit = queue.workerConcurrency ?? Self.defaultWorkerConcurrency
        let free = workerLimit - running.count(queue: queue.name)
        guard free > 0 else { return false }
        let claim = QueueClaim(definition: queue, executorID: executorID, applicationVersion: applicationVersion,
                               limit: free, workflowNames: workflowNames, readableFormat: PortableJSON.formatName)
        guard queue.isPartitioned else { return try await claimAndStart(claim) }
        var moreWaiting = false
        let partitions = try await systemDatabase.queuePartitions(
            queue: queue.name, applicationVersion: applicationVersion, workflowNames: workflowNames)
        for partition in partitions.shuffled() {   // no partition starves the others
            var partitionClaim = claim
            partitionClaim.partitionKey = partition
            partitionClaim.limit = workerLimit - running.count(queue: queue.name)
            if let perPartition = queue.partitionWorkerConcurrency {
                partitionClaim.limit = min(partitionClaim.limit, perPartition - running.count(queue: queue.name, partition: partition))
            }
            guard partitionClaim.limit > 0 else { continue }
            if try await claimAndStart(partitionClaim) { moreWaiting = true }
        }
        return moreWaiting
    }

    /// Claims and starts; true when the claim got all it asked for.
    private func claimAndStart(_ claim: QueueClaim) async throws -> Bool {
        let claimed = try await systemDatabase.claimQueued(claim)
        await start(claimed, queue: claim.definition.name)
        return claimed.count == claim.limit
    }

    /// Starts each claimed workflow on its own: one that cannot start must not strand the rest
    /// of the claim (it stays PENDING here and is recovered at the next launch).
    private func start(_ claimed: [ClaimedWorkflow], queue: String) async {
        for workflow in claimed {
            do {
                try await start(claimed: workflow, queue: queue)
            } catch {
                logger.error("could not start a claimed workflow; it stays PENDING for recovery",
                             metadata: ["workflowID": "\(workflow.workflowID)", "error": "\(error)"])
            }
        }
    }

    private func start(claimed: ClaimedWorkflow, queue: String) async throws {
        guard let registration = registration(named: claimed.name) else { return }
        // A workflow that keeps killing its worker comes back here each time: past its
        // recovery attempts it is dead-lettered instead of crashing every worker forever.
        let maxAttempts = registration.maxRecoveryAttempts ?? config.maxRecoveryAttempts
        if claimed.recoveryAttempts > maxAttempts + 1 {
            try await systemDatabase.deadLetter(workflowID: claimed.workflowID, attempts: claimed.recoveryAttempts)
            logger.error("workflow exceeded its recovery attempts and is now MAX_RECOVERY_ATTEMPTS_EXCEEDED",
                         metadata: ["workflowID": "\(claimed.workflowID)", "attempts": "\(claimed.recoveryAttempts - 1)"])
            return
        }
        let recorded = claimed.hasSteps ? try await systemDatabase.steps(workflowID: claimed.workflowID) : []
        execute(registration, workflowID: claimed.workflowID, inputs: claimed.inputs ?? PortableJSON.noArguments,
                ownerXID: claimed.ownerXID, recorded: recorded, queueName: queue, partitionKey: claimed.partitionKey,
                deadlineEpochMilliseconds: claimed.deadlineEpochMilliseconds,
                trace: .stored(.dequeued, attributes: claimed.attributes, recoveryAttempt: max(claimed.recoveryAttempts - 1, 0)))
    }
}
