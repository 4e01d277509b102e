import Foundation

/// Cancel, resume, fork and delete, shared by ``DBOS`` and ``DBOSClient``.
protocol WorkflowManagement: Sendable {
    var systemDatabase: any SystemDatabase { get }
    /// The application version a fork runs under when none is given.
    var defaultForkVersion: String? { get }
    /// Called after a state change so local executions and queues react at once.
    func afterManagementChange(cancelled: [String], enqueued: Bool)
}

extension WorkflowManagement {
    func cancelWorkflow(_ workflowID: String, includeChildren: Bool) async throws {
        guard try await systemDatabase.workflowStatus(workflowID: workflowID) != nil else {
            throw DBOSError.nonexistentWorkflow(workflowID: workflowID)
        }
        let cancelled = try await systemDatabase.cancel(workflowIDs: [workflowID], includeChildren: includeChildren)
        afterManagementChange(cancelled: cancelled, enqueued: false)
    }

    func resumeWorkflow(_ workflowID: String) async throws {
        guard let status = try await systemDatabase.workflowStatus(workflowID: workflowID) else {
            throw DBOSError.nonexistentWorkflow(workflowID: workflowID)
        }
        guard try await systemDatabase.resume(workflowID: workflowID, queueName: Queue.internalQueue.name) else {
            throw DBOSError.invalidWorkflowState(workflowID: workflowID, status: status.status, operation: "resume")
        }
        afterManagementChange(cancelled: [], enqueued: true)
    }

    func forkWorkflow(_ workflowID: String, fromStep: Int, newID: String?, applicationVersion: String?) async throws -> String {
        guard fromStep >= 1 else { throw DBOSError.invalidArgument("fork needs a step of 1 or more, not \(fromStep)") }
        guard let status = try await systemDatabase.workflowStatus(workflowID: workflowID) else {
            throw DBOSError.nonexistentWorkflow(workflowID: workflowID)
        }
        let forkID = newID ?? UUID().uuidString.lowercased()
        let version = applicationVersion ?? defaultForkVersion ?? status.applicationVersion ?? ""
        try await systemDatabase.fork(workflowID: workflowID, newID: forkID, startStep: fromStep,
                                      applicationVersion: version, queueName: Queue.internalQueue.name)
        afterManagementChange(cancelled: [], enqueued: true)
        return forkID
    }

    func deleteWorkflow(_ workflowID: String, includeChildren: Bool) async throws {
        let deleted = try await systemDatabase.delete(workflowIDs: [workflowID], includeChildren: includeChildren)
        guard !deleted.isEmpty else { throw DBOSError.nonexistentWorkflow(workflowID: workflowID) }
        afterManagementChange(cancelled: deleted, enqueued: false)
    }
}

extension DBOS: WorkflowManagement {
    var defaultForkVersion: String? { applicationVersion }

    func afterManagementChange(cancelled: [String], enqueued: Bool) {
        for workflowID in cancelled { running.markCancelled(workflowID) }
        if enqueued { hub.signal(WakeupHub.queueKey(Queue.internalQueue.name)) }
    }

    /// Cancels a workflow that has not finished: it stops before its next step (a running
    /// step finishes), here or in any other process. With `includeChildren`, its descendants too.
    public func cancel(_ workflowID: String, includeChildren: Bool = false) async throws {
        try await publicOperation("cancel") { try await cancelWorkflow(workflowID, includeChildren: includeChildren) }
    }

    /// Continues a cancelled (or stranded) workflow from its last completed step, on the
    /// internal queue of whichever process runs its application version.
    public func resume(_ workflowID: String) async throws {
        try await publicOperation("resume") { try await resumeWorkflow(workflowID) }
    }

    /// Starts a new workflow that reuses the recorded outcomes of `workflowID`'s operations
    /// before `fromStep` and runs the current code from that step on. Returns the new ID.
    public func fork(_ workflowID: String, fromStep: Int, newID: String? = nil, applicationVersion: String? = nil) async throws -> String {
        try await publicOperation("fork") { try await forkWorkflow(workflowID, fromStep: fromStep, newID: newID, applicationVersion: applicationVersion) }
    }

    /// Deletes a workflow and everything recorded for it (with `includeChildren`, its descendants too).
    public func delete(_ workflowID: String, includeChildren: Bool = false) async throws {
        try await publicOperation("delete") { try await deleteWorkflow(workflowID, includeChildren: includeChildren) }
    }
}

extension DBOSClient: WorkflowManagement {
    var defaultForkVersion: String? { nil }
    func afterManagementChange(cancelled: [String], enqueued: Bool) {}

    /// Cancels a workflow (see ``DBOS/cancel(_:includeChildren:)``).
    public func cancel(_ workflowID: String, includeChildren: Bool = false) async throws {
        try await publicOperation("cancel") { try await cancelWorkflow(workflowID, includeChildren: includeChildren) }
    }

    /// Resumes a workflow (see ``DBOS/resume(_:)``).
    public func resume(_ workflowID: String) async throws {
        try await publicOperation("resume") { try await resumeWorkflow(workflowID) }
    }

    /// Forks a workflow from a step (see ``DBOS/fork(_:fromStep:newID:applicationVersion:)``);
    /// by default the fork runs under the original's application version.
    public func fork(_ workflowID: String, fromStep: Int, newID: String? = nil, applicationVersion: String? = nil) async throws -> String {
        try await publicOperation("fork") { try await forkWorkflow(workflowID, fromStep: fromStep, newID: newID, applicationVersion: applicationVersion) }
    }

    /// Deletes a workflow (see ``DBOS/delete(_:includeChildren:)``).
    public func delete(_ workflowID: String, includeChildren: Bool = false) async throws {
        try await publicOperation("delete") { try await deleteWorkflow(workflowID, includeChildren: includeChildren) }
    }
}
