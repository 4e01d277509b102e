import Foundation
import Logging

extension DBOS {
    /// Applies the retention policy at launch and then every `policy.interval`, until shutdown.
    /// Several processes may run it on one database: batches that meet one another's deletes
    /// find those workflows gone.
    func runRetention(_ policy: RetentionPolicy) async {
        while !Task.isCancelled && !isShuttingDown {
            do {
                let report = try await garbageCollect(
                    completedBefore: policy.maxAge.map { clock.now - $0.seconds }, keepLatest: policy.keepLatest)
                if report.workflows > 0 {
                    logger.info("retention deleted finished workflows", metadata: [
                        "workflows": "\(report.workflows)", "steps": "\(report.steps)", "messages": "\(report.messages)",
                        "events": "\(report.events)", "streamValues": "\(report.streamValues)"])
                }
            } catch {
                if !isShuttingDown && !(error is CancellationError) {
                    logger.warning("retention failed; trying again at the next interval", metadata: ["error": "\(error)"])
                }
            }
            do { try await service.pause(until: clock.now + policy.interval.seconds) } catch { return }
        }
    }
}
