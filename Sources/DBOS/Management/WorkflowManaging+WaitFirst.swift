extension WorkflowManaging {
    /// Waits until one of `handles` has finished (succeeded, failed or was cancelled) and
    /// returns that handle; await its ``WorkflowHandle/result()`` for the output or the error.
    /// When several have finished, the one that finished first.
    ///
    /// Called by a workflow, the wait is one of its operations (`DBOS.waitFirst`, as in DBOS
    /// 3.4): the winner's ID is recorded, so a recovered or forked workflow gets the same handle
    /// back without waiting again, even if another one finished first on the second run.
    ///
    /// - Throws: ``DBOSError/Code/invalidArgument`` for no handles or the same workflow twice,
    ///   ``DBOSError/Code/nonexistentWorkflow`` when one of them does not exist.
    public func waitFirst<Output>(_ handles: [WorkflowHandle<Output>]) async throws -> WorkflowHandle<Output> {
        let first = try await waitFirst(workflowIDs: handles.map(\.workflowID))
        return handles.first { $0.workflowID == first }!
    }

    /// Waits until one of the workflows `workflowIDs` names has finished and returns its ID:
    /// ``waitFirst(_:)`` for workflows of different output types. Recorded when called by a
    /// workflow (`DBOS.waitFirst`).
    public func waitFirst(workflowIDs: [String]) async throws -> String {
        try await recordedInWorkflow("DBOS.waitFirst") { try await service.awaitFirstFinished(workflowIDs) }
    }
}

extension DBOS {
    /// ``WorkflowManaging/waitFirst(_:)`` on the runtime running this workflow (or the one
    /// launched in this process).
    public static func waitFirst<Output>(_ handles: [WorkflowHandle<Output>]) async throws -> WorkflowHandle<Output> {
        try await (currentRuntime ?? launchedRuntime()).waitFirst(handles)
    }

    /// ``WorkflowManaging/waitFirst(workflowIDs:)`` on the runtime running this workflow (or
    /// the one launched in this process).
    public static func waitFirst(workflowIDs: [String]) async throws -> String {
        try await (currentRuntime ?? launchedRuntime()).waitFirst(workflowIDs: workflowIDs)
    }
}
