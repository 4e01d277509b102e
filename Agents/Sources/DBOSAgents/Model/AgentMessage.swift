public import DBOS

/// One message of an agent's conversation with its model.
public struct AgentMessage: Codable, Sendable, Equatable {
    /// Who speaks: `system`, `user`, `assistant` or `tool`.
    public var role: String
    /// The text (for a `tool` message, the tool's result or error).
    public var content: String
    /// The tool calls an `assistant` message asks for.
    public var toolCalls: [ToolCall]
    /// For a `tool` message, the ID of the call it answers.
    public var toolCallID: String?

    /// Creates a message.
    public init(role: String, content: String, toolCalls: [ToolCall] = [], toolCallID: String? = nil) {
        self.role = role
        self.content = content
        self.toolCalls = toolCalls
        self.toolCallID = toolCallID
    }

    /// A system message (instructions).
    public static func system(_ content: String) -> AgentMessage { AgentMessage(role: "system", content: content) }
    /// A user message (the task or data).
    public static func user(_ content: String) -> AgentMessage { AgentMessage(role: "user", content: content) }
    /// The model's turn: its text and the tool calls it asked for.
    public static func assistant(_ turn: ModelTurn) -> AgentMessage {
        AgentMessage(role: "assistant", content: turn.text, toolCalls: turn.toolCalls)
    }
    /// A tool's answer to the call `id`.
    public static func tool(_ content: String, callID: String) -> AgentMessage {
        AgentMessage(role: "tool", content: content, toolCallID: callID)
    }
}

/// A tool call the model asks for.
public struct ToolCall: Codable, Sendable, Equatable {
    /// The model's ID for the call (tool messages answer it).
    public var id: String
    /// The tool's name.
    public var name: String
    /// The arguments, a JSON object.
    public var arguments: JSONValue

    /// Creates a tool call.
    public init(id: String, name: String, arguments: JSONValue = .object([:])) {
        self.id = id
        self.name = name
        self.arguments = arguments
    }
}

/// One answer of the model: text, and the tool calls it wants made (none when it is done).
public struct ModelTurn: Codable, Sendable, Equatable {
    /// The text of the answer (the final answer when there are no tool calls).
    public var text: String
    /// The tool calls to make before the next turn, in the model's order.
    public var toolCalls: [ToolCall]

    /// Creates a turn.
    public init(text: String = "", toolCalls: [ToolCall] = []) {
        self.text = text
        self.toolCalls = toolCalls
    }
}

extension [AgentMessage] {
    /// The text of the first system message ("" when there is none).
    public var systemPrompt: String { first { $0.role == "system" }?.content ?? "" }
    /// The text of the last user message ("" when there is none).
    public var lastUserMessage: String { last { $0.role == "user" }?.content ?? "" }
    /// The tool messages after the last assistant message (the results of its calls).
    public var latestToolResults: [AgentMessage] {
        Array(reversed().prefix { $0.role == "tool" }.reversed())
    }
}
