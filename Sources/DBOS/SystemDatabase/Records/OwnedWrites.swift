/// An operation record with the owner token of the execution writing it.
struct OwnedRecord: Sendable {
    let record: StepRecord
    let ownerXID: String
}

/// The end of a workflow's execution, as the owner of its row writes it.
struct Completion: Sendable {
    let workflowID: String
    let ownerXID: String
    let state: WorkflowState
    let output: String?
    let error: String?
}
