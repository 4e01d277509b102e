public import DBOS

/// What the model is told about one tool.
public struct ToolSpec: Codable, Sendable, Equatable {
    /// The name the model calls it by.
    public var name: String
    /// What it does, for the model.
    public var description: String
    /// A JSON schema of its arguments (an object schema).
    public var inputSchema: JSONValue
    /// Whether the tool's result text must be JSON (an MCP tool with an output schema): a result
    /// that does not parse fails the call with ``AgentError/malformedToolOutput(tool:output:)``.
    public var returnsJSON: Bool

    /// Creates a tool description.
    public init(name: String, description: String, inputSchema: JSONValue = .object(["type": .string("object")]),
                returnsJSON: Bool = false) {
        self.name = name
        self.description = description
        self.inputSchema = inputSchema
        self.returnsJSON = returnsJSON
    }
}

/// A chat model that can call tools. The agent loop calls it inside a checkpointed step, so a
/// recovered or forked run never asks it again for a turn it already answered.
public protocol AgentModel: Sendable {
    /// A short name for logs (`scripted`, `openai:gpt-4o-mini`).
    var name: String { get }
    /// The model's next turn for `conversation`, given the `tools` it may call. `onToken` receives
    /// the answer's text piece by piece as it is produced (its concatenation is the turn's text).
    func respond(to conversation: [AgentMessage], tools: [ToolSpec],
                 onToken: @escaping @Sendable (String) async throws -> Void) async throws -> ModelTurn
}

extension AgentModel {
    /// The model's answer to `conversation` with no tools offered, its tokens not passed on:
    /// one plain completion. Call it inside a step, so a recovered or forked workflow does not
    /// ask again.
    public func complete(_ conversation: [AgentMessage]) async throws -> String {
        try await respond(to: conversation, tools: []) { _ in }.text
    }
}
