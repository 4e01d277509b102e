public import Foundation

/// One recorded operation (step, sleep, child workflow, ...) of a workflow.
public struct StepRecord: Sendable, Equatable {
    public var workflowID: String
    /// The operation's position in the workflow, from 1.
    public var functionID: Int
    public var functionName: String
    public var output: String?
    public var error: String?
    public var childWorkflowID: String?
    public var startedAt: Date?
    public var completedAt: Date?
    public var serialization: String?

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
