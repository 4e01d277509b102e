/// A debounce's attempt to extend the debounced workflow that holds its key: a new delay and
/// new inputs for the DELAYED workflow named `workflowName` holding `deduplicationID` on
/// `queueName`.
struct DebounceBounce: Sendable {
    var workflowName: String
    var queueName: String
    var deduplicationID: String
    /// The new end of the delay, capped at the workflow's debounce deadline.
    var delayUntilEpochMilliseconds: Int64
    var inputs: String
    var serialization: String
}

/// What a ``DebounceBounce`` found.
enum DebounceOutcome: Sendable, Equatable {
    /// The debounced workflow was extended and takes the new inputs.
    case extended(workflowID: String)
    /// No workflow holds the key: enqueue a new one.
    case free
    /// Another workflow holds the key: a plain deduplicated one, one of another name, or a
    /// debounced one that is no longer DELAYED.
    case held(workflowID: String, isDebounced: Bool, name: String)
}
