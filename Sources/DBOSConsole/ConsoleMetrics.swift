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
            registry.makeGauge(name: "dbos_workflows", labels: [("status", status)], help: "Workflows in the system database, by status")
                .set(Double(count))
        }
        for queue in try await QueueSummary.all(client) {
            registry.makeGauge(name: "dbos_queue_depth", labels: [("queue", queue.name)], help: "ENQUEUED workflows of the queue")
                .set(Double(queue.enqueued))
            registry.makeGauge(name: "dbos_queue_running", labels: [("queue", queue.name)], help: "PENDING workflows of the queue")
                .set(Double(queue.running))
            registry.makeGauge(name: "dbos_queue_oldest_enqueued_age_seconds", labels: [("queue", queue.name)],
                               help: "Age of the queue's oldest ENQUEUED workflow")
                .set(queue.oldestEnqueuedAge ?? 0)
        }
        return Responses.text(registry.emitToString(), contentType: "text/plain; version=0.0.4; charset=utf-8")
    }
}
