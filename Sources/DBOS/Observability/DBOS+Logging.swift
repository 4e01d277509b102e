public import Logging

extension DBOS {
    /// The logger for workflow and step code.
    ///
    /// Inside a workflow it is the runtime's logger (``DBOSConfig/logger``) with the workflow's
    /// `workflowID` and `workflowName` as metadata, and inside a step also `stepID` and
    /// `stepName`; elsewhere a logger labelled `dbos`.
    ///
    /// ```swift
    /// try await DBOS.step("charge") {
    ///     DBOS.logger.info("charging card")   // workflowID=..., stepName=charge, ...
    /// }
    /// ```
    public static var logger: Logger {
        guard let context = WorkflowContext.current else { return Logger(label: "dbos") }
        var logger = context.logger
        if let step = WorkflowContext.currentStep {
            logger[metadataKey: "stepID"] = "\(step.functionID)"
            logger[metadataKey: "stepName"] = "\(step.name)"
        }
        return logger
    }

    /// Stamps the running workflow's `workflowID` and `workflowName` (and inside a step its
    /// `stepID` and `stepName`) on every log line the application writes, whatever logger it
    /// uses. Install it once, with the log backend:
    ///
    /// ```swift
    /// LoggingSystem.bootstrap(StreamLogHandler.standardOutput, metadataProvider: DBOS.metadataProvider)
    /// ```
    ///
    /// Outside a workflow it adds nothing.
    public static let metadataProvider = Logger.MetadataProvider {
        guard let context = WorkflowContext.current else { return [:] }
        var metadata: Logger.Metadata = ["workflowID": "\(context.workflowID)", "workflowName": "\(context.workflowName)"]
        if let step = WorkflowContext.currentStep {
            metadata["stepID"] = "\(step.functionID)"
            metadata["stepName"] = "\(step.name)"
        }
        return metadata
    }
}
