/// One message of a chat conversation with a language model.
public struct ChatMessage: Codable, Sendable, Equatable {
    /// `system`, `user` or `assistant`.
    public var role: String
    /// The message text.
    public var content: String

    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }

    /// A system message (instructions).
    public static func system(_ content: String) -> ChatMessage { ChatMessage(role: "system", content: content) }
    /// A user message (the task or data).
    public static func user(_ content: String) -> ChatMessage { ChatMessage(role: "user", content: content) }
}

/// A chat-completion language model. Call it from inside a `@Step`, so its answer is
/// recorded and a recovered or forked workflow does not ask again.
public protocol LLMClient: Sendable {
    /// A short name for logs (`scripted`, `openai:gpt-4o-mini`).
    var name: String { get }
    /// The model's reply to `messages`.
    func complete(_ messages: [ChatMessage]) async throws -> String
}

/// Turns text into a vector for similarity search.
public protocol EmbeddingModel: Sendable {
    /// The embedding of `text` (same length for every text of one model).
    func embed(_ text: String) async throws -> [Double]
}
