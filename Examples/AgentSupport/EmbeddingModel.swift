/// Turns text into a vector for similarity search. (Language models are DBOSAgents'
/// `AgentModel`: the scripted model offline, `OpenAICompatibleModel` for a real server.)
public protocol EmbeddingModel: Sendable {
    /// The embedding of `text` (same length for every text of one model).
    func embed(_ text: String) async throws -> [Double]
}
