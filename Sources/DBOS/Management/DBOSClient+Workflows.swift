import Foundation

extension DBOSClient {
    /// Enqueues a workflow by name for whichever process serves `queue` (in any DBOS language
    /// that reads portable JSON). Returns the workflow ID. With no `applicationVersion` in
    /// `options`, any executor may dequeue it.
    public func enqueue<each Input: Encodable>(
        workflowName: String, queue: String, _ input: repeat each Input, options: EnqueueOptions = .init()
    ) async throws -> String {
        try options.validate(workflowName: workflowName, queue: queue)
        let now = Clock.nowMillis()
        let insert = WorkflowInsert(
            workflowID: options.workflowID ?? UUID().uuidString.lowercased(), name: workflowName,
            status: options.delay == nil ? .enqueued : .delayed, executorID: nil, applicationVersion: options.applicationVersion,
            queueName: queue, timeoutMilliseconds: options.timeout?.milliseconds, ownerXID: UUID().uuidString.lowercased(),
            inputs: try PortableJSON.encodeArguments(repeat each input), priority: options.priority,
            deduplicationID: options.deduplicationID, partitionKey: options.partitionKey, createdAt: now,
            delayUntilEpochMilliseconds: options.delay.map { now + $0.milliseconds })
        let (workflowID, result) = try await publicOperation("enqueue") {
            try await systemDatabase.enqueue(insert, onDuplicate: options.onDuplicate)
        }
        if let result, result.name != workflowName {
            throw DBOSError.conflictingWorkflow(workflowID: insert.workflowID, existingName: result.name, requestedName: workflowName)
        }
        return workflowID
    }

    /// Waits for a workflow to finish and returns its output decoded as `Output` (polling the
    /// status row). Errors as for ``WorkflowHandle/result()``.
    public func result<Output: Decodable>(of workflowID: String, as type: Output.Type = Output.self,
                                          timeout: Duration = .seconds(3600)) async throws -> Output {
        let deadline = ContinuousClock.now + timeout
        var interval = Duration.milliseconds(5)
        while true {
            guard let status = try await getWorkflowStatus(workflowID) else {
                throw DBOSError.nonexistentWorkflow(workflowID: workflowID)
            }
            if let state = status.state, !state.isActive {
                return try WorkflowOutcome(status: status.status, output: status.output, error: status.error,
                                           serialization: status.serialization, recoveryAttempts: status.recoveryAttempts)
                    .decode(workflowID: workflowID, as: type, errors: errors)
            }
            guard ContinuousClock.now < deadline else {
                throw DBOSError.invalidWorkflowState(workflowID: workflowID, status: status.status, operation: "wait for the result of")
            }
            try await Task.sleep(for: interval)
            interval = min(interval * 2, .milliseconds(200))
        }
    }

    /// Registers a Swift error type so stored errors of that type are rethrown as it.
    public func registerError<E: Error & Decodable>(_ type: E.Type) {
        errors.register(type)
    }

    /// Workflows waiting on or running from a queue (ENQUEUED or PENDING), oldest first.
    public func listQueuedWorkflows(queue: String? = nil, limit: Int? = nil) async throws -> [WorkflowStatus] {
        let rows = try await listWorkflows(ListWorkflowsFilter(status: [.enqueued, .pending, .delayed], queueName: queue, limit: limit))
        return rows.filter { $0.queueName != nil }
    }
}

extension DBOS {
    /// Workflows waiting on or running from a queue (ENQUEUED, DELAYED or PENDING), oldest first.
    public func listQueuedWorkflows(queue: String? = nil, limit: Int? = nil) async throws -> [WorkflowStatus] {
        let rows = try await listWorkflows(ListWorkflowsFilter(status: [.enqueued, .pending, .delayed], queueName: queue, limit: limit))
        return rows.filter { $0.queueName != nil }
    }
}
