import Foundation
import Logging

extension DBOS {
    /// Every ``DBOSConfig/queueMetricsInterval``, while a metrics backend is set: samples the
    /// depth of each registered queue and the age of its oldest enqueued workflow (one query
    /// for all queues) into the `dbos_queue_depth` and `dbos_queue_oldest_age_seconds` gauges.
    func sampleQueueMetrics() async {
        while !Task.isCancelled && !isShuttingDown {
            if metrics.isEnabled {
                let queues = registeredQueues.map(\.name)
                do {
                    let depths = try await systemDatabase.queueDepths(queues)
                    let now = Date().epochMilliseconds
                    for queue in queues {
                        let sample = depths[queue]
                        let age = sample?.oldestCreatedAt.map { Duration.milliseconds(max(now - $0, 0)) } ?? .zero
                        metrics.queueSampled(queue, depth: sample?.depth ?? 0, oldestAge: age)
                    }
                } catch {
                    if !isShuttingDown { logger.debug("queue metrics not sampled", metadata: ["error": "\(error)"]) }
                }
            }
            try? await service.pause(for: config.queueMetricsInterval)
        }
    }
}
