/// What happened to a write that records an operation of a workflow.
enum OperationWrite<Value: Sendable>: Sendable {
    /// This execution's record is stored; `Value` is what the write produced.
    case recorded(Value)
    /// A record already exists at this function ID (an earlier or concurrent execution's).
    case alreadyRecorded(StepRecord)
    /// The workflow no longer belongs to this execution (cancelled, finished or handed over).
    case notOwner(status: WorkflowState?)
}
