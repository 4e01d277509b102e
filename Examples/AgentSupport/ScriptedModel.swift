/// A deterministic, offline language model: its replies come from a script, a pure function
/// of the conversation. The default model of every example, so they run (and are tested)
/// without network access or keys.
///
/// ```swift
/// let model = ScriptedModel { messages in
///     messages.last?.content.contains("plan") == true ? #"{"queries":["a","b"]}"# : "ok"
/// }
/// ```
public struct ScriptedModel: LLMClient {
    public let name = "scripted"
    private let script: @Sendable ([ChatMessage]) -> String

    /// - Parameter script: the reply to a conversation; must depend only on its argument.
    public init(_ script: @escaping @Sendable ([ChatMessage]) -> String) {
        self.script = script
    }

    public func complete(_ messages: [ChatMessage]) async throws -> String {
        script(messages)
    }
}

extension [ChatMessage] {
    /// The text of the first system message ("" when there is none).
    public var systemPrompt: String { first { $0.role == "system" }?.content ?? "" }
    /// The text of the last user message ("" when there is none).
    public var lastUserMessage: String { last { $0.role == "user" }?.content ?? "" }
}
