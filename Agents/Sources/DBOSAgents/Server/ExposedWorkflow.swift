public import DBOS

/// A registered workflow offered to MCP clients by ``WorkflowToolServer`` as the tool
/// `start_<name>`.
public struct ExposedWorkflow: Sendable {
    /// The workflow's registered name.
    public let name: String
    /// What it does, for the client's model.
    public let description: String
    /// A JSON schema of its input.
    public let inputSchema: JSONValue
    let start: @Sendable (DBOS, JSONValue, String?) async throws -> String

    /// Offers `workflow`; its input schema is `inputSchema`, else derived from `Input`.
    public init<Input: Codable & Sendable, Output: Codable & Sendable>(
        _ workflow: Workflow<Input, Output>, description: String, inputSchema: JSONValue? = nil
    ) {
        name = workflow.name
        self.description = description
        self.inputSchema = inputSchema ?? JSONSchema.derive(from: Input.self)
        start = { dbos, input, workflowID in
            let decoded = try input.decode(as: Input.self, what: "input of workflow '\(workflow.name)'")
            return try await dbos.start(workflow, decoded, options: WorkflowOptions(workflowID: workflowID)).workflowID
        }
    }
}
