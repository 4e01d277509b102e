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
        try Self.checkPartitioning(of: queue.definition, for: workflow.name, options)
        let inputs = try PortableJSON.encodeArguments(repeat each input)
        let id = try await enqueueWorkflow(name: workflow.name, inputs: inputs, queue: queue.name, options: options)
        return WorkflowHandle(workflowID: id, service: service)
    }

    /// Enqueues a workflow by its registered name and returns its ID, as
    /// ``DBOSClient/enqueue(workflowName:queue:_:options:)`` does (DBOS 3.4's enqueue by name):
    /// for work whose code this process may not have, run by whichever process registered it
    /// and serves `queue`. Inside a workflow the enqueue is checkpointed as a child, as
    /// ``enqueue(_:_:on:options:)``. When `queue` is registered here, its partitioning is checked.
    public func enqueue<each Input: Encodable>(
        workflowName: String, queue: String, _ input: repeat each Input, options: EnqueueOptions = .init()
    ) async throws -> String {
        if let definition = registeredQueues.first(where: { $0.name == queue }) {
            try Self.checkPartitioning(of: definition, for: workflowName, options)
        }
        return try await enqueueWorkflow(name: workflowName, inputs: try PortableJSON.encodeArguments(repeat each input),
                                         queue: queue, options: options)
    }

    /// A partitioned queue needs a partition key; a plain queue never serves one.
    private static func checkPartitioning(of queue: QueueDefinition, for workflowName: String, _ options: EnqueueOptions) throws {
        if queue.isPartitioned && options.partitionKey == nil {
            throw DBOSError.invalidArgument("queue '\(queue.name)' is partitioned: enqueueing '\(workflowName)' needs EnqueueOptions.partitionKey")
        }
        if !queue.isPartitioned, let key = options.partitionKey {
            throw DBOSError.invalidArgument(
                "queue '\(queue.name)' is not partitioned: enqueueing '\(workflowName)' with partition key '\(key)' would never run")
        }
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
