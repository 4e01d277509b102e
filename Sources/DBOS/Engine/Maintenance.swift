import Foundation
import Logging

extension DBOS {
    /// Once a second (or when signalled): release delayed workflows, cancel timed-out ones,
    /// and stop local executions whose workflow was cancelled or taken over elsewhere.
    func maintain() async {
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
                let due = try await systemDatabase.maintenanceDue()
                if due.delayedDue {
                    for queue in Set(try await systemDatabase.releaseDelayed()) { hub.signal(WakeupHub.queueKey(queue)) }
                }
                if due.deadlinePassed { _ = try await systemDatabase.cancelTimedOut() }
                for workflowID in try await systemDatabase.lostOwnership(running.owned) {
                    running.stopLostExecution(workflowID)
                }
            } catch {
                if !isShuttingDown { logger.warning("queue maintenance failed", metadata: ["error": "\(error)"]) }
            }
            await hub.wait(registration, timeout: .seconds(1))
        }
    }
}
