import Foundation

/// How a debounce runs (see ``DBOS/debounce(_:key:period:_:options:)``), written once for the
/// runtime and the client, on DBOS 3.4's rows: the debounced workflow is DELAYED on its queue,
/// flagged `is_debounced`, with the deduplication ID `<workflow name>-<key>`; a debounce either
/// extends that workflow's delay (capped at its debounce deadline) and replaces its inputs, or
/// enqueues a new one.
extension WorkflowService {
    struct Debounce: Sendable {
        var workflowName: String
        var inputs: String
        var key: String
        var period: Duration
        var options: DebounceOptions
        /// Who enqueues a new one: a runtime's executor and version, or nil from a client.
        var executorID: String?
        var applicationVersion: String?
    }

    /// Extends the workflow holding the debounce key, or enqueues a new one; returns its ID.
    func debounce(_ debounce: Debounce) async throws -> String {
        guard debounce.period >= .zero else { throw DBOSError.invalidArgument("a debounce period must not be negative") }
        if let timeout = debounce.options.timeout, timeout <= .zero {
            throw DBOSError.invalidArgument("a debounce timeout must be positive, not \(timeout)")
        }
        let queue = debounce.options.queueName ?? QueueDefinition.internalQueueName
        let key = "\(debounce.workflowName)-\(debounce.key)"
        while true {
            let now = clock.nowMilliseconds
            let outcome = try await systemDatabase.bounce(DebounceBounce(
                workflowName: debounce.workflowName, queueName: queue, deduplicationID: key,
                delayUntilEpochMilliseconds: now + debounce.period.milliseconds, inputs: debounce.inputs,
                serialization: PortableJSON.formatName))
            switch outcome {
            case .extended(let workflowID):
                return workflowID
            case .held(_, let isDebounced, let name) where !isDebounced || name != debounce.workflowName:
                throw DBOSError.queueDeduplicated(queue: queue, deduplicationID: key)
            case .held:
                // A debounced workflow of this name that just left DELAYED: it gives the key up
                // as it does, so try again.
                try await pause(for: .milliseconds(10))
                continue
            case .free:
                let deadline = debounce.options.timeout.map { now + $0.milliseconds }
                let delayUntil = min(now + debounce.period.milliseconds, deadline ?? .max)
                var row = try WorkflowInsert(
                    queued: debounce.workflowName, inputs: debounce.inputs, queue: queue,
                    options: EnqueueOptions(workflowID: debounce.options.workflowID, deduplicationID: key,
                                            delay: .milliseconds(delayUntil - now)),
                    executorID: debounce.executorID, applicationVersion: debounce.applicationVersion, now: clock.now)
                row.isDebounced = true
                row.debounceDeadlineEpochMilliseconds = deadline
                do {
                    return try await insert(row, onDuplicate: .throwError).workflowID
                } catch DBOSError.Code.queueDeduplicated {
                    continue   // another debounce took the key meanwhile: extend that one
                }
            }
        }
    }
}
