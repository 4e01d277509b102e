import Foundation

extension DBOS {
    /// Registers queues (before ``launch()``): this process then runs their workflows, and
    /// their settings are recorded in the `queues` table.
    public func register(queues: Queue...) throws {
        try registerQueues(queues)
    }

    /// Enqueues a workflow on `queue` and returns its handle at once.
    ///
    /// Inside a workflow the enqueue is checkpointed and the new workflow is its child. A
    /// second enqueue with an active `deduplicationID` throws
    /// ``DBOSError/queueDeduplicated(queue:deduplicationID:)``.
    public func enqueue<each Input: Codable & Sendable, Output: Codable & Sendable>(
        _ workflow: Workflow<repeat each Input, Output>, _ input: repeat each Input, on queue: Queue,
        options: EnqueueOptions = .init()
    ) async throws -> WorkflowHandle<Output> {
        if queue.isPartitioned && options.partitionKey == nil {
            throw DBOSError.invalidArgument("queue '\(queue.name)' is partitioned: enqueueing '\(workflow.name)' needs EnqueueOptions.partitionKey")
        }
        let inputs = try PortableJSON.encodeArguments(repeat each input)
        let id = try await enqueueWorkflow(name: workflow.name, inputs: inputs, queue: queue.name, options: options)
        return WorkflowHandle(workflowID: id, runtime: self)
    }

    func enqueueWorkflow(name: String, inputs: String, queue: String, options: EnqueueOptions) async throws -> String {
        try requireLaunched("enqueueing workflow '\(name)'")
        try options.validate(workflowName: name, queue: queue)
        let now = Clock.nowMillis()
        var insert = WorkflowInsert(
            workflowID: options.workflowID ?? UUID().uuidString.lowercased(), name: name,
            status: options.delay == nil ? .enqueued : .delayed, executorID: executorID,
            applicationVersion: options.applicationVersion ?? applicationVersion, queueName: queue,
            timeoutMilliseconds: options.timeout?.milliseconds, ownerXID: UUID().uuidString.lowercased(), inputs: inputs,
            priority: options.priority, deduplicationID: options.deduplicationID, partitionKey: options.partitionKey,
            createdAt: now, delayUntilEpochMilliseconds: options.delay.map { now + $0.milliseconds })
        let workflowID: String
        let result: WorkflowInsertResult?
        if let parent = WorkflowContext.current, parent.runtime === self, !WorkflowContext.insideStep {
            try parent.checkRunnable()
            let functionID = parent.nextFunctionID()
            if let record = try parent.recorded(functionID, expecting: name), let child = record.childWorkflowID {
                return child
            }
            insert.workflowID = options.workflowID ?? "\(parent.workflowID)-\(functionID)"
            insert.parentWorkflowID = parent.workflowID
            if insert.timeoutMilliseconds == nil { insert.deadlineEpochMilliseconds = parent.deadlineEpochMilliseconds }
            let started = Date()
            workflowID = insert.workflowID
            result = try await systemDatabase.insertChildWorkflow(insert, parentStep: StepRecord(
                workflowID: parent.workflowID, functionID: functionID, functionName: name,
                childWorkflowID: insert.workflowID, startedAt: started, completedAt: started))
        } else {
            (workflowID, result) = try await systemDatabase.enqueue(insert, onDuplicate: options.onDuplicate)
        }
        if let result, result.name != name {
            throw DBOSError.conflictingWorkflow(workflowID: insert.workflowID, existingName: result.name, requestedName: name)
        }
        hub.signal(WakeupHub.queueKey(queue))
        return workflowID
    }
}

extension EnqueueOptions {
    /// Rejects combinations no queue accepts; the error names the workflow and queue.
    func validate(workflowName: String, queue: String) throws {
        if partitionKey != nil && deduplicationID != nil {
            throw DBOSError.invalidArgument(
                "enqueueing '\(workflowName)' on queue '\(queue)': a partition key and a deduplication ID cannot be combined")
        }
        if let delay, delay < .zero {
            throw DBOSError.invalidArgument("enqueueing '\(workflowName)' on queue '\(queue)': delay must not be negative")
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
