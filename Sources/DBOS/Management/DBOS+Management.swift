extension DBOS {
    /// The status row of one workflow, or nil when it does not exist.
    public func getWorkflowStatus(_ workflowID: String) async throws -> WorkflowStatus? {
        try await service.status(workflowID)
    }

    /// Workflows matching `filter`, oldest first unless the filter says otherwise.
    public func listWorkflows(_ filter: ListWorkflowsFilter = .init()) async throws -> [WorkflowStatus] {
        try await service.list(filter)
    }

    /// The recorded operations of a workflow, in order.
    public func listSteps(_ workflowID: String) async throws -> [StepRecord] {
        try await service.steps(workflowID)
    }

    /// Workflows waiting on or running from a queue (ENQUEUED, DELAYED or PENDING), oldest first.
    public func listQueuedWorkflows(queue: String? = nil, limit: Int? = nil) async throws -> [WorkflowStatus] {
        try await service.listQueued(queue: queue, limit: limit)
    }

    /// Cancels a workflow that has not finished: it stops before its next step (a running
    /// step finishes), here or in any other process. With `includeChildren`, its descendants too.
    public func cancel(_ workflowID: String, includeChildren: Bool = false) async throws {
        try await service.cancel(workflowID, includeChildren: includeChildren)
    }

    /// Continues a cancelled (or stranded) workflow from its last completed step, on the
    /// internal queue of whichever process runs its application version.
    public func resume(_ workflowID: String) async throws {
        try await service.resume(workflowID)
    }

    /// Starts a new workflow that reuses the recorded outcomes of `workflowID`'s operations
    /// before `fromStep` and runs the current code from that step on (by default under this
    /// runtime's application version). Returns the new ID.
    public func fork(_ workflowID: String, fromStep: Int, newID: String? = nil, applicationVersion: String? = nil) async throws -> String {
        try await service.fork(workflowID, fromStep: fromStep, newID: newID, applicationVersion: applicationVersion)
    }

    /// Deletes a workflow and everything recorded for it (with `includeChildren`, its descendants too).
    public func delete(_ workflowID: String, includeChildren: Bool = false) async throws {
        try await service.delete(workflowID, includeChildren: includeChildren)
    }
}
