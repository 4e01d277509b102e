public import Foundation

/// One recorded operation (step, sleep, child workflow, ...) of a workflow.
public struct StepRecord: Sendable, Equatable, Codable {
    /// The workflow the operation belongs to.
    public var workflowID: String
    /// The operation's position in the workflow, from 1.
    public var functionID: Int
    /// The operation's name: the step name, or `DBOS.sleep`, `DBOS.recv`, a child workflow's name, ...
    public var functionName: String
    /// The serialized output, as stored.
    public var output: String?
    /// The serialized error of a failed operation, as stored.
    public var error: String?
    /// The child workflow this operation started or waited for, if any.
    public var childWorkflowID: String?
    /// When the operation started.
    public var startedAt: Date?
    /// When the operation was recorded.
    public var completedAt: Date?
    /// The serialization format of `output` and `error`.
    public var serialization: String?

    /// A record with the given fields.
    public init(workflowID: String, functionID: Int, functionName: String, output: String? = nil, error: String? = nil,
                childWorkflowID: String? = nil, startedAt: Date? = nil, completedAt: Date? = nil,
                serialization: String? = PortableJSON.formatName) {
        self.workflowID = workflowID
        self.functionID = functionID
        self.functionName = functionName
        self.output = output
        self.error = error
        self.childWorkflowID = childWorkflowID
        self.startedAt = startedAt
        self.completedAt = completedAt
        self.serialization = serialization
    }
}
