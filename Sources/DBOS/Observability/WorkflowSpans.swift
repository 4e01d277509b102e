import Tracing

/// The spans of workflow executions and of the operations they run, through
/// swift-distributed-tracing: the tracer bootstrapped by the application (or bound with
/// `withTracer`). One span per execution of a workflow, named after it; inside it one span per
/// operation that runs (a step, a send, a wait, a child's start), named after the operation.
/// Replayed operations get none: they run nothing. Attribute names: ``SpanAttributeNames``.
extension DBOS {
    /// Starts the span of one execution of a workflow, as a child of `parent` (the caller's
    /// context for a workflow started here, else the trace stored with the workflow).
    func startWorkflowSpan(_ name: String, workflowID: String, queueName: String?, recoveryAttempt: Int,
                           parent: ServiceContext) -> any Span {
        let span = startSpan(name, context: parent, ofKind: .internal)
        guard span.isRecording else { return span }
        let names = config.spanAttributeNames
        let version = applicationVersion, executor = executorID
        span.updateAttributes { attributes in
            attributes[names.name(.workflowID)] = workflowID
            attributes[names.name(.operationType)] = "workflow"
            attributes[names.name(.applicationVersion)] = version
            attributes[names.name(.executorID)] = executor
            if let queueName { attributes[names.name(.queueName)] = queueName }
            attributes[names.name(.recoveryAttempt)] = recoveryAttempt
        }
        return span
    }

    /// Ends a workflow execution's span with how the execution ended: the status it recorded,
    /// or none when it stopped without one (shutdown, cancellation, hand-back).
    func endWorkflowSpan(_ span: any Span, recorded state: WorkflowState?, error: (any Error)?) {
        if span.isRecording {
            if let state { span.attributes[config.spanAttributeNames.name(.status)] = state.rawValue }
            if let error, state == .error {
                span.recordError(error)
                span.setStatus(SpanStatus(code: .error, message: "\(error)"))
            } else if state == .success {
                span.setStatus(SpanStatus(code: .ok))
            }
        }
        span.end()
    }
}

extension WorkflowContext {
    /// Runs `body` (an operation's first execution) inside the operation's span.
    func withOperationSpan<T>(_ name: String, functionID: Int, type: String, _ body: () async throws -> T) async throws -> T {
        let names = runtime.config.spanAttributeNames
        let workflowID = workflowID
        return try await withSpan(name, ofKind: .internal) { span in
            if span.isRecording {
                span.updateAttributes { attributes in
                    attributes[names.name(.workflowID)] = workflowID
                    attributes[names.name(.operationType)] = type
                    attributes[names.name(.functionID)] = functionID
                }
            }
            return try await body()
        }
    }
}
