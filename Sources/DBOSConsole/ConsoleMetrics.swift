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
        // Reads the status column of every workflow (no payloads); a count query in the
        // library would scale better on very large histories.
        let all = try await client.listWorkflows(ListWorkflowsFilter(loadPayloads: false))
        var counts: [String: Int] = [:]
        for state in WorkflowState.known { counts[state.rawValue] = 0 }
        for workflow in all { counts[workflow.state.rawValue, default: 0] += 1 }
        for (status, count) in counts.sorted(by: { $0.key < $1.key }) {
            registry.makeGauge(descriptor: MetricNameDescriptor(metricName: "dbos_workflows", unitName: "", helpText: "Workflows in the system database, by status"), labels: [("status", status)])
                .set(Double(count))
        }
        for queue in try await QueueSummary.all(client) {
            registry.makeGauge(descriptor: MetricNameDescriptor(metricName: "dbos_queue_depth", unitName: "", helpText: "ENQUEUED workflows of the queue"), labels: [("queue", queue.name)])
                .set(Double(queue.enqueued))
            registry.makeGauge(descriptor: MetricNameDescriptor(metricName: "dbos_queue_running", unitName: "", helpText: "PENDING workflows of the queue"), labels: [("queue", queue.name)])
                .set(Double(queue.running))
            registry.makeGauge(descriptor: MetricNameDescriptor(metricName: "dbos_queue_oldest_enqueued_age", unitName: "seconds", helpText: "Age of the queue's oldest ENQUEUED workflow"), labels: [("queue", queue.name)])
                .set(queue.oldestEnqueuedAge ?? 0)
        }
        return Responses.text(registry.emitToString(), contentType: "text/plain; version=0.0.4; charset=utf-8")
    }
}
