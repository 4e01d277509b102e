import Foundation

extension DBOS {
    /// Starts one dispatcher per registered queue and the maintenance loop.
    func startQueues() async throws {
        for queue in registeredQueues where queue.name != Queue.internalQueue.name {
            try await systemDatabase.upsertQueue(queue)
        }
        var tasks: [Task<Void, Never>] = registeredQueues.map { queue in
            Task { await self.dispatch(queue) }
        }
        tasks.append(Task { await self.maintain() })
        backgroundTasks.withLock { $0.append(contentsOf: tasks) }
    }

    /// Claims and runs a queue's workflows while the runtime is up. Claims up to the free
    /// local slots; waits for a local signal (an enqueue here, a finished workflow) or the
    /// queue's polling interval before looking again.
    private func dispatch(_ queue: QueueDefinition) async {
        let key = WakeupHub.queueKey(queue.name)
        let names = registeredWorkflowNames
        while !Task.isCancelled && !isShuttingDown {
            let registration = hub.register(key)
            var claimedAll = false
            do {
                let free = (queue.workerConcurrency ?? 64) - running.count(queue: queue.name)
                let claimed = try await systemDatabase.claimQueued(QueueClaim(
                    name: queue.name, executorID: executorID, applicationVersion: applicationVersion, limit: free,
                    concurrency: queue.concurrency, rateLimit: queue.rateLimit, priorityEnabled: queue.priorityEnabled,
                    workflowNames: names))
                for workflow in claimed { try await start(claimed: workflow, queue: queue.name) }
                claimedAll = free > 0 && claimed.count == free
            } catch {
                logger.warning("queue dispatch failed; retrying", metadata: ["queue": "\(queue.name)", "error": "\(error)"])
            }
            if claimedAll {
                hub.cancel(registration)
                await Task.yield()
            } else {
                await hub.wait(registration, timeout: queue.pollingInterval)
            }
        }
    }

    private func start(claimed: ClaimedWorkflow, queue: String) async throws {
        guard let registration = registration(named: claimed.name) else { return }
        let recorded = claimed.hasSteps ? try await systemDatabase.steps(workflowID: claimed.workflowID) : []
        execute(registration, workflowID: claimed.workflowID, inputs: claimed.inputs ?? "{\"positionalArgs\":[],\"namedArgs\":{}}",
                ownerXID: claimed.ownerXID, recorded: recorded, queueName: queue,
                deadlineEpochMilliseconds: claimed.deadlineEpochMilliseconds)
    }

    /// Once a second (or when signalled): release delayed workflows, cancel timed-out ones,
    /// and stop local executions whose workflow was cancelled or taken over elsewhere.
    private func maintain() async {
        var lastRun = ContinuousClock.now - .seconds(1)
        while !Task.isCancelled && !isShuttingDown {
            let registration = hub.register(WakeupHub.maintenanceKey)
            let since = ContinuousClock.now - lastRun
            if since < .milliseconds(100) {
                await hub.wait(registration, timeout: .milliseconds(100) - since)
                continue
            }
            lastRun = ContinuousClock.now
            do {
                for queue in Set(try await systemDatabase.releaseDelayed()) { hub.signal(WakeupHub.queueKey(queue)) }
                _ = try await systemDatabase.cancelTimedOut()
                for workflowID in try await systemDatabase.lostOwnership(running.owned) {
                    running.markCancelled(workflowID)
                }
            } catch {
                if !isShuttingDown { logger.warning("queue maintenance failed", metadata: ["error": "\(error)"]) }
            }
            await hub.wait(registration, timeout: .seconds(1))
        }
    }
}
