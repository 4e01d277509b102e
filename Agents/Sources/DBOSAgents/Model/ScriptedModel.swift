/// A deterministic, offline model: its turns come from a script, a pure function of the
/// conversation. The default model of the agents, so they run (and are tested) without network
/// access or keys. The text of each turn is streamed word by word.
///
/// ```swift
/// let model = ScriptedAgentModel { conversation, _ in
///     conversation.latestToolResults.isEmpty
///         ? ModelTurn(toolCalls: [ToolCall(id: "1", name: "search", arguments: ["query": "swift"])])
///         : ModelTurn(text: "Found: \(conversation.latestToolResults[0].content)")
/// }
/// ```
public struct ScriptedAgentModel: AgentModel {
    public let name = "scripted"
    private let script: @Sendable ([AgentMessage], [ToolSpec]) -> ModelTurn

    /// - Parameter script: the turn for a conversation; must depend only on its arguments.
    public init(_ script: @escaping @Sendable ([AgentMessage], [ToolSpec]) -> ModelTurn) {
        self.script = script
    }

    public func respond(to conversation: [AgentMessage], tools: [ToolSpec],
                        onToken: @escaping @Sendable (String) async throws -> Void) async throws -> ModelTurn {
        let turn = script(conversation, tools)
        for token in Self.tokens(of: turn.text) { try await onToken(token) }
        return turn
    }

    /// `text` cut after each space: the pieces concatenate to `text`.
    static func tokens(of text: String) -> [String] {
        var tokens: [String] = []
        var current = ""
        for character in text {
            current.append(character)
            if character == " " { tokens.append(current); current = "" }
        }
        if !current.isEmpty { tokens.append(current) }
        return tokens
    }
}
