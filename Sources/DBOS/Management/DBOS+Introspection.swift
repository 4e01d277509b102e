extension DBOS {
    /// The status row of one workflow, or nil when it does not exist.
    public func getWorkflowStatus(_ workflowID: String) async throws -> WorkflowStatus? {
        try await publicOperation("get workflow status") { try await systemDatabase.workflowStatus(workflowID: workflowID) }
    }

    /// Workflows matching `filter`, oldest first unless the filter says otherwise.
    public func listWorkflows(_ filter: ListWorkflowsFilter = .init()) async throws -> [WorkflowStatus] {
        try await publicOperation("list workflows") { try await systemDatabase.listWorkflows(filter) }
    }

    /// The recorded operations of a workflow, in order.
    public func listSteps(_ workflowID: String) async throws -> [StepRecord] {
        try await publicOperation("list steps") { try await systemDatabase.steps(workflowID: workflowID) }
    }
}
