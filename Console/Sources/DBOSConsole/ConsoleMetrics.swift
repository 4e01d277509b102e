import DBOS
import Foundation
import Hummingbird
import Prometheus

/// `GET /metrics`: Prometheus text, sampled from the database at each scrape:
/// `dbos_workflows{status}` (every workflow by status), `dbos_queue_depth{queue}` (ENQUEUED),
/// `dbos_queue_running{queue}` (PENDING) and `dbos_queue_oldest_enqueued_age_seconds{queue}`.
enum ConsoleMetrics {
    static func render(_ client: DBOSClient) async throws -> Response {
        // A fresh registry per scrape: a queue that emptied does not linger with a stale value.
        let registry = PrometheusCollectorRegistry()
        // Two aggregate queries: no workflow rows are read, however long the history.
        let counts = try await client.workflowCounts()
        for state in Set(WorkflowState.known).union(counts.keys).sorted(by: { $0.rawValue < $1.rawValue }) {
            registry.makeGauge(descriptor: MetricNameDescriptor(metricName: "dbos_workflows", unitName: "", helpText: "Workflows in the system database, by status"), labels: [("status", state.rawValue)])
                .set(Double(counts[state] ?? 0))
        }
        let now = Date()
        for queue in try await client.queueStatistics() {
            registry.makeGauge(descriptor: MetricNameDescriptor(metricName: "dbos_queue_depth", unitName: "", helpText: "ENQUEUED workflows of the queue"), labels: [("queue", queue.name)])
                .set(Double(queue.enqueued))
            registry.makeGauge(descriptor: MetricNameDescriptor(metricName: "dbos_queue_running", unitName: "", helpText: "PENDING workflows of the queue"), labels: [("queue", queue.name)])
                .set(Double(queue.running))
            registry.makeGauge(descriptor: MetricNameDescriptor(metricName: "dbos_queue_oldest_enqueued_age", unitName: "seconds", helpText: "Age of the queue's oldest ENQUEUED workflow"), labels: [("queue", queue.name)])
                .set(queue.oldestEnqueuedAt.map { max(now.timeIntervalSince($0), 0) } ?? 0)
        }
        return Responses.text(registry.emitToString(), contentType: "text/plain; version=0.0.4; charset=utf-8")
    }
}
