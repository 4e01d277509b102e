/// How the runtime names the attributes of its spans.
///
/// | attribute | `.dbos` | `.openTelemetry` |
/// |---|---|---|
/// | workflow ID | `operationUUID` | `dbos.operation.workflow_id` |
/// | `workflow`, `step` or `childWorkflow` | `operationType` | `dbos.operation.type` |
/// | application version | `applicationVersion` | `dbos.application.version` |
/// | executor ID | `executorID` | `dbos.executor.id` |
/// | queue | `queueName` | `dbos.queue.name` |
/// | operation ID (steps) | `functionID` | `dbos.operation.function_id` |
/// | recovery attempt (workflows) | `recoveryAttempt` | `dbos.workflow.recovery_attempt` |
/// | final status (workflows) | `status` | `dbos.workflow.status` |
///
/// The first five are DBOS Transact's own (its `legacy` and `semconv` formats); the others are
/// this library's, named in the same style. Spans are named after the workflow or operation.
public enum SpanAttributeNames: Sendable {
    /// DBOS Transact's default names (`operationUUID`, `executorID`, ...).
    case dbos
    /// OpenTelemetry-style names in the `dbos.` namespace (`dbos.operation.workflow_id`, ...).
    case openTelemetry

    func name(_ attribute: Key) -> String {
        switch self {
        case .dbos: attribute.rawValue
        case .openTelemetry: attribute.openTelemetryName
        }
    }

    enum Key: String {
        case workflowID = "operationUUID"
        case operationType
        case applicationVersion
        case executorID
        case queueName
        case functionID
        case recoveryAttempt
        case status

        var openTelemetryName: String {
            switch self {
            case .workflowID: "dbos.operation.workflow_id"
            case .operationType: "dbos.operation.type"
            case .applicationVersion: "dbos.application.version"
            case .executorID: "dbos.executor.id"
            case .queueName: "dbos.queue.name"
            case .functionID: "dbos.operation.function_id"
            case .recoveryAttempt: "dbos.workflow.recovery_attempt"
            case .status: "dbos.workflow.status"
            }
        }
    }
}
