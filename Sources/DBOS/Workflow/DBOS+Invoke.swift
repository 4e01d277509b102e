extension DBOS {
    /// Runs a workflow from code that holds no runtime (what an annotated `@Workflow` function
    /// expands to): inside a workflow it runs as a child of the current workflow; outside any
    /// workflow it runs on the single runtime launched in this process.
    public static func runWorkflow<each Input: Codable & Sendable, Output: Codable & Sendable>(
        _ workflow: Workflow<repeat each Input, Output>, _ input: repeat each Input
    ) async throws -> Output {
        let runtime = try currentRuntime ?? launchedRuntime()
        return try await runtime.run(workflow, repeat each input)
    }

    /// Starts a workflow without waiting, from code that holds no runtime. See ``runWorkflow(_:_:)``.
    public static func startWorkflow<each Input: Codable & Sendable, Output: Codable & Sendable>(
        _ workflow: Workflow<repeat each Input, Output>, _ input: repeat each Input, options: WorkflowOptions = .init()
    ) async throws -> WorkflowHandle<Output> {
        let runtime = try currentRuntime ?? launchedRuntime()
        return try await runtime.start(workflow, repeat each input, options: options)
    }
}
