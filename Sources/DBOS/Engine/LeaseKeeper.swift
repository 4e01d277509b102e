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
        try await systemDatabase.renewLease(executorID: executorID, lease: lease)
        tasks.spawn { await self.keepLease(lease) }
    }

    /// Every third of the lease: renew it, then take over expired executors' work.
    ///
    /// When the lease is not renewed in time (the renewal fails, or waits out a database outage
    /// past the lease's end, measured on this host's monotonic clock from when the last successful
    /// renewal was sent), local executions are stopped: peers may take their workflows over. Once
    /// the lease is renewed again, each stopped workflow that is still this executor's is handed
    /// back for recovery here, including one whose execution was still inside a step and stops
    /// only later.
    private func keepLease(_ lease: Duration) async {
        var validUntil = ContinuousClock.now + lease
        var fenced: Set<String> = []
        while !Task.isCancelled && !isShuttingDown {
            let registration = hub.register(WakeupHub.leaseKey)
            await hub.wait(registration, timeout: lease / 3)
            guard !isShuttingDown else { return }
            let sentAt = ContinuousClock.now
            let renewal = await fencing(at: validUntil, "renewing the lease") {
                try await self.systemDatabase.renewLease(executorID: self.executorID, lease: lease)
            }
            fenced.formUnion(renewal.fenced)
            if let error = renewal.error {
                if isShuttingDown { return }
                logger.warning("executor lease upkeep failed", metadata: ["error": "\(error)"])
                if ContinuousClock.now >= validUntil { fenced.formUnion(fence()) }
                continue
            }
            validUntil = sentAt + lease
            if !fenced.isEmpty {
                logger.notice("executor lease renewed again; recovering the workflows it stopped",
                              metadata: ["count": "\(fenced.count)"])
                for workflowID in fenced { handedBack.handBackNow(workflowID) }
                hub.signal(WakeupHub.handedBackKey)
                fenced = []
            }
            // A takeover that waits out an outage must not keep the lease from lapsing either.
            let takeover = await fencing(at: validUntil, "taking over expired executors") {
                try await self.takeOverExpiredExecutors()
            }
            fenced.formUnion(takeover.fenced)
            if let error = takeover.error, !isShuttingDown {
                logger.warning("executor lease upkeep failed", metadata: ["error": "\(error)"])
            }
        }
    }

    /// What happened while a lease upkeep call ran.
    private enum UpkeepEvent: Sendable {
        case finished((any Error)?)
        case fenced(Set<String>)
    }

    /// Runs `body` (lease upkeep), fencing this executor if `deadline` passes while it waits.
    /// Returns the workflows fenced meanwhile, and `body`'s error if it failed.
    ///
    /// Past the deadline the lease is lapsed until `body` renews it, so every execution found
    /// here is stopped, including one that starts (or is recovered) after the first fence: the
    /// fence is repeated every ``fenceRepeat`` while `body` waits. A warning every 10 seconds
    /// says what the upkeep is waiting for.
    private func fencing(at deadline: ContinuousClock.Instant, _ phase: String,
                         _ body: @escaping @Sendable () async throws -> Void) async -> (fenced: Set<String>, error: (any Error)?) {
        await withTaskGroup(of: UpkeepEvent.self) { group in
            group.addTask {
                do {
                    try await body()
                    return .finished(nil)
                } catch {
                    return .finished(error)
                }
            }
            group.addTask {
                var stopped: Set<String> = []
                guard (try? await Task.sleep(until: deadline)) != nil else { return .fenced(stopped) }
                var warned = ContinuousClock.now
                while !Task.isCancelled {
                    stopped.formUnion(self.fence())
                    if ContinuousClock.now - warned >= .seconds(10) {
                        warned = .now
                        self.logger.warning("executor lease upkeep is still waiting", metadata: [
                            "phase": "\(phase)", "pastLeaseEnd": "\(ContinuousClock.now - deadline)"])
                    }
                    try? await Task.sleep(for: Self.fenceRepeat)
                }
                return .fenced(stopped)
            }
            var fenced: Set<String> = []
            var failure: (any Error)?
            for await event in group {
                switch event {
                case .finished(let error):
                    failure = error
                    group.cancelAll()   // the fence stops repeating
                case .fenced(let stopped):
                    fenced = stopped
                }
            }
            return (fenced, failure)
        }
    }

    /// How often a lapsed lease's fence is repeated while the upkeep waits.
    static let fenceRepeat = Duration.milliseconds(200)

    /// Stops every local execution (at once, even in a wait): this executor's lease has lapsed,
    /// so peers may take its workflows over. Returns the workflows stopped.
    private func fence() -> Set<String> {
        let owned = running.owned.filter { !running.isCancelled($0.workflowID) }
        guard !owned.isEmpty else { return [] }
        logger.error("executor lease expired: stopping local workflow executions", metadata: ["count": "\(owned.count)"])
        for (workflowID, _) in owned { running.markCancelled(workflowID) }
        return Set(owned.map(\.workflowID))
    }

    /// Takes over the workflows of every executor whose lease has expired.
    private func takeOverExpiredExecutors() async throws {
        for dead in try await systemDatabase.expiredLeases(excluding: executorID) {
            let taken = try await systemDatabase.takeOver(
                deadExecutorID: dead, newExecutorID: executorID, applicationVersion: applicationVersion,
                workflowNames: registeredWorkflowNames)
            for queue in registeredQueues { hub.signal(WakeupHub.queueKey(queue.name)) }
            metrics.takenOver(taken.count)
            if !taken.isEmpty {
                logger.notice("taking over workflows of an executor whose lease expired",
                              metadata: ["deadExecutor": "\(dead)", "count": "\(taken.count)"])
            }
            for workflow in taken where !running.isRunning(workflow.id) {
                do {
                    _ = try await recover(workflow)
                } catch {
                    logger.error("could not take over workflow", metadata: ["workflowID": "\(workflow.id)", "error": "\(error)"])
                    if Self.recoveryMayLaterSucceed(error) { handBack(workflow.id, because: "takeover failed: \(error)") }
                }
            }
        }
    }
}
