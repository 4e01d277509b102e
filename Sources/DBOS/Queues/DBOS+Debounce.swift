extension DBOS {
    /// Debounces `workflow`: starts it once a burst of calls with the same `key` has been quiet
    /// for `period`, with the inputs of the last call (DBOS 3.4's `Debouncer`).
    ///
    /// The first call enqueues the workflow DELAYED by `period`; each later call with the key,
    /// while it still waits, pushes its start to `period` after that call (never past
    /// ``DebounceOptions/timeout`` after the first) and replaces its inputs. Once it starts,
    /// the next call begins a new burst. The rows are DBOS's, so a DBOS Python process
    /// debouncing the same workflow name and key extends the same workflow.
    ///
    /// Called by a workflow, the debounce is one of its operations (`DBOS.debounce`): a replay
    /// returns the recorded workflow instead of debouncing again.
    ///
    /// - Throws: ``DBOSError/Code/queueDeduplicated`` when a workflow that is not this
    ///   debounce's holds the key on the queue; ``DBOSError/Code/invalidArgument`` for a
    ///   negative period or a timeout that is not positive.
    public func debounce<each Input: Codable & Sendable, Output: Codable & Sendable>(
        _ workflow: Workflow<repeat each Input, Output>, key: String, period: Duration, _ input: repeat each Input,
        options: DebounceOptions = .init()
    ) async throws -> WorkflowHandle<Output> {
        try requireLaunched("debouncing workflow '\(workflow.name)'")
        if let queueName = options.queueName, registeredQueues.first(where: { $0.name == queueName })?.isPartitioned == true {
            throw DBOSError.invalidArgument("queue '\(queueName)' is partitioned: debouncing needs deduplication, which it does not support")
        }
        let debounce = WorkflowService.Debounce(
            workflowName: workflow.name, inputs: try PortableJSON.encodeArguments(repeat each input), key: key, period: period,
            options: options, executorID: executorID, applicationVersion: applicationVersion)
        let id = try await recordedInWorkflow("DBOS.debounce") { [service] in try await service.debounce(debounce) }
        return WorkflowHandle(workflowID: id, service: service)
    }
}

extension DBOSClient {
    /// Debounces the workflow registered as `workflowName` (see
    /// ``DBOS/debounce(_:key:period:_:options:)``); returns its ID. Any version of the
    /// application may run it.
    public func debounce<each Input: Encodable>(
        workflowName: String, key: String, period: Duration, _ input: repeat each Input, options: DebounceOptions = .init()
    ) async throws -> String {
        try await service.debounce(WorkflowService.Debounce(
            workflowName: workflowName, inputs: try PortableJSON.encodeArguments(repeat each input), key: key, period: period,
            options: options, executorID: nil, applicationVersion: nil))
    }
}
