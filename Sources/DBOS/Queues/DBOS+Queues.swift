extension DBOS {
    /// Registers queues (before the runtime starts): this process then runs their workflows,
    /// and their settings are recorded in the `queues` table.
    public func register(queues: Queue...) throws {
        try registerQueues(queues)
    }

    /// Enqueues a workflow on `queue` and returns its handle at once.
    ///
    /// Inside a workflow the enqueue is checkpointed and the new workflow is its child. A
    /// second enqueue with an active `deduplicationID` throws
    /// ``DBOSError/Code/queueDeduplicated`` (or, with ``DuplicatePolicy/returnExisting``,
    /// returns the active workflow's handle).
    public func enqueue<each Input: Codable & Sendable, Output: Codable & Sendable>(
        _ workflow: Workflow<repeat each Input, Output>, _ input: repeat each Input, on queue: Queue,
        options: EnqueueOptions = .init()
    ) async throws -> WorkflowHandle<Output> {
        if queue.isPartitioned && options.partitionKey == nil {
            throw DBOSError.invalidArgument("queue '\(queue.name)' is partitioned: enqueueing '\(workflow.name)' needs EnqueueOptions.partitionKey")
        }
        let inputs = try PortableJSON.encodeArguments(repeat each input)
        let id = try await enqueueWorkflow(name: workflow.name, inputs: inputs, queue: queue.name, options: options)
        return WorkflowHandle(workflowID: id, service: service)
    }
}

extension Queue {
    /// Enqueues on this queue through the current workflow's runtime, or outside a workflow
    /// through the single launched runtime. See ``DBOS/enqueue(_:_:on:options:)``.
    public func enqueue<each Input: Codable & Sendable, Output: Codable & Sendable>(
        _ workflow: Workflow<repeat each Input, Output>, _ input: repeat each Input, options: EnqueueOptions = .init()
    ) async throws -> WorkflowHandle<Output> {
        try await (DBOS.currentRuntime ?? DBOS.launchedRuntime()).enqueue(workflow, repeat each input, on: self, options: options)
    }
}
