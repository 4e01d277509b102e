import CoreMetrics

/// The runtime's metrics, through swift-metrics: the application bootstraps a backend
/// (swift-prometheus, swift-otel, ...) or passes one as ``DBOSConfig/metricsFactory``. Labels
/// follow Prometheus naming; dimensions are the workflow, step and queue names (never IDs, so
/// the number of series stays bounded).
///
/// | metric | kind | dimensions |
/// |---|---|---|
/// | `dbos_workflows_started_total` | counter | `workflow`, `origin` (`new`, `recovered`, `dequeued`) |
/// | `dbos_workflows_succeeded_total`, `_failed_total`, `_cancelled_total` | counter | `workflow` |
/// | `dbos_step_duration_seconds` | timer | `step`, `outcome` (`success`, `error`) |
/// | `dbos_step_retries_total` | counter | `step` |
/// | `dbos_queue_depth` | gauge | `queue` (ENQUEUED workflows) |
/// | `dbos_queue_oldest_age_seconds` | gauge | `queue` (age of the oldest ENQUEUED workflow, 0 when empty) |
/// | `dbos_recoveries_total` | counter | `workflow` (executions resumed after a crash or hand-back) |
/// | `dbos_takeovers_total` | counter | (workflows taken over from an executor whose lease expired) |
/// | `dbos_database_retries_total` | counter | `reason` (`unavailable`, `busy`, `serialization`) |
/// | `dbos_checkpoint_batch_size` | recorder | `backend` (writes committed together by group commit) |
struct RuntimeMetrics: Sendable {
    /// The factory given in the configuration; nil uses the bootstrapped one at each use, so a
    /// backend bootstrapped after the runtime was created still receives everything.
    let configured: (any MetricsFactory)?

    var factory: any MetricsFactory { configured ?? MetricsSystem.factory }

    /// Whether any backend would receive a sample (sampling queue depth costs a query).
    var isEnabled: Bool { configured != nil || !(MetricsSystem.factory is NOOPMetricsHandler) }

    /// How an execution of a workflow began.
    enum Origin: String {
        case new, recovered, dequeued
    }

    func workflowStarted(_ name: String, origin: Origin) {
        Counter(label: "dbos_workflows_started_total", dimensions: [("workflow", name), ("origin", origin.rawValue)],
                factory: factory).increment()
        if origin == .recovered {
            Counter(label: "dbos_recoveries_total", dimensions: [("workflow", name)], factory: factory).increment()
        }
    }

    func workflowEnded(_ name: String, state: WorkflowState) {
        let label: String
        switch state {
        case .success: label = "dbos_workflows_succeeded_total"
        case .error: label = "dbos_workflows_failed_total"
        case .cancelled: label = "dbos_workflows_cancelled_total"
        default: return
        }
        Counter(label: label, dimensions: [("workflow", name)], factory: factory).increment()
    }

    func stepFinished(_ name: String, succeeded: Bool, after duration: Duration) {
        let (seconds, attoseconds) = duration.components
        Timer(label: "dbos_step_duration_seconds", dimensions: [("step", name), ("outcome", succeeded ? "success" : "error")],
              factory: factory).recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    func stepRetried(_ name: String) {
        Counter(label: "dbos_step_retries_total", dimensions: [("step", name)], factory: factory).increment()
    }

    func queueSampled(_ queue: String, depth: Int, oldestAge: Duration) {
        Gauge(label: "dbos_queue_depth", dimensions: [("queue", queue)], factory: factory).record(depth)
        let (seconds, attoseconds) = oldestAge.components
        Gauge(label: "dbos_queue_oldest_age_seconds", dimensions: [("queue", queue)], factory: factory)
            .record(Double(seconds) + Double(attoseconds) / 1e18)
    }

    func takenOver(_ count: Int) {
        guard count > 0 else { return }
        Counter(label: "dbos_takeovers_total", factory: factory).increment(by: count)
    }

    func databaseRetried(reason: String) {
        Counter(label: "dbos_database_retries_total", dimensions: [("reason", reason)], factory: factory).increment()
    }

    func checkpointBatch(size: Int, backend: String) {
        Recorder(label: "dbos_checkpoint_batch_size", dimensions: [("backend", backend)], factory: factory).record(size)
    }
}
