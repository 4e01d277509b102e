import Foundation

extension DBOS {
    /// Whether this execution takes the new code path of a change named `name`, as DBOS
    /// Transact 3.4's `DBOS.patch` decides it:
    ///
    /// - a new execution (nothing recorded at this point of its history) records a patch
    ///   marker (`DBOS.patch-<name>`) as its next operation and gets `true`;
    /// - an execution recovered or forked from a history that has the marker here gets `true`;
    /// - one whose history has another operation here (it ran before the change was deployed)
    ///   gets `false` and takes no operation ID, so it replays the old code path unchanged.
    ///
    /// ```swift
    /// if try await DBOS.patch("charge-before-reserve") {
    ///     try await charge(order); try await reserve(order)
    /// } else {
    ///     try await reserve(order); try await charge(order)
    /// }
    /// ```
    ///
    /// Once no execution older than the patch can be recovered, replace `patch` with
    /// ``deprecatePatch(_:)``, and later remove the call and the old path.
    /// Call it from the workflow itself, not from a step or concurrently with other operations.
    ///
    /// - Throws: ``DBOSError/Code/invalidArgument`` outside a workflow or inside a step.
    public static func patch(_ name: String) async throws -> Bool {
        let context = try patchContext("DBOS.patch")
        let marker = patchMarker(name)
        let (functionID, recorded) = context.peekNextOperation()
        if let recorded {
            guard recorded.functionName == marker else { return false }
            context.takeOperation(functionID)
            return true
        }
        try context.requireLive(functionID, marker)
        let now = context.runtime.clock.now
        let write = try await context.runtime.systemDatabase.recordOperation(
            StepRecord(workflowID: context.workflowID, functionID: functionID, functionName: marker,
                       startedAt: now, completedAt: now, serialization: nil),
            ownerXID: context.ownerXID)
        switch write {
        case .recorded:
            context.takeOperation(functionID)
            return true
        case .alreadyRecorded(let existing):
            guard existing.functionName == marker else { return false }
            context.takeOperation(functionID)
            return true
        case .notOwner(let status):
            throw context.lostOwnership(status: status)
        }
    }

    /// The second stage of removing a patch: executions whose history has the marker of
    /// `name` at this point step over it; no execution records a new one. Always `true` (take
    /// the new code path), as DBOS Transact 3.4's `DBOS.deprecate_patch`.
    ///
    /// - Throws: ``DBOSError/Code/invalidArgument`` outside a workflow or inside a step.
    @discardableResult
    public static func deprecatePatch(_ name: String) async throws -> Bool {
        let context = try patchContext("DBOS.deprecatePatch")
        let (functionID, recorded) = context.peekNextOperation()
        var existing = recorded
        if existing == nil && context.mode == .live {
            existing = try await context.runtime.systemDatabase.step(workflowID: context.workflowID, functionID: functionID)
        }
        if existing?.functionName == patchMarker(name) { context.takeOperation(functionID) }
        return true
    }

    private static func patchMarker(_ name: String) -> String { "DBOS.patch-\(name)" }

    private static func patchContext(_ call: String) throws -> WorkflowContext {
        guard let context = WorkflowContext.forOperation() else {
            throw DBOSError.invalidArgument("\(call) must be called from a workflow, not outside one or inside a step")
        }
        try context.checkRunnable()
        return context
    }
}
