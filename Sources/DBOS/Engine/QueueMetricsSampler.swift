import Foundation
import Logging

extension DBOS {
    /// Every ``DBOSConfig/queueMetricsInterval``, while a metrics backend is set: samples the
    /// depth of each registered queue and the age of its oldest enqueued workflow (one aggregate
    /// query for all queues) into the `dbos_queue_depth` and `dbos_queue_oldest_age_seconds` gauges.
    func sampleQueueMetrics() async {
        while !Task.isCancelled && !isShuttingDown {
            if metrics.isEnabled {
                do {
                    let statistics = try await systemDatabase.queueStatistics()
                    let now = clock.now
                    for queue in registeredQueues.map(\.name) {
                        let sample = statistics.first { $0.name == queue }
                        let age = sample?.oldestEnqueuedAt.map { Duration.seconds(max(now.timeIntervalSince($0), 0)) } ?? .zero
                        metrics.queueSampled(queue, depth: sample?.enqueued ?? 0, oldestAge: age)
                    }
                } catch {
                    if !isShuttingDown { logger.debug("queue metrics not sampled", metadata: ["error": "\(error)"]) }
                }
            }
            try? await service.pause(for: config.queueMetricsInterval)
        }
    }
}
