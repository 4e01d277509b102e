extension DBOS {
    /// Starts a workflow and returns its handle without waiting for it.
    ///
    /// The workflow ID is the idempotency key: starting an ID that already exists returns a
    /// handle to that workflow (joining it if it runs here) without executing anything; the
    /// same ID with another workflow name throws ``DBOSError/Code/conflictingWorkflow``.
    /// Called inside a workflow, this starts a child workflow with ID `<parent ID>-<operation ID>`.
    public func start<each Input: Codable & Sendable, Output: Codable & Sendable>(
        _ workflow: Workflow<repeat each Input, Output>, _ input: repeat each Input, options: WorkflowOptions = .init()
    ) async throws -> WorkflowHandle<Output> {
        let inputs = try PortableJSON.encodeArguments(repeat each input)
        let id = try await startWorkflow(name: workflow.name, inputs: inputs, options: options)
        return WorkflowHandle(workflowID: id, service: service)
    }

    /// Runs a workflow and waits for its output. See ``start(_:_:options:)``.
    public func run<each Input: Codable & Sendable, Output: Codable & Sendable>(
        _ workflow: Workflow<repeat each Input, Output>, _ input: repeat each Input, options: WorkflowOptions = .init()
    ) async throws -> Output {
        try await start(workflow, repeat each input, options: options).result()
    }
}
