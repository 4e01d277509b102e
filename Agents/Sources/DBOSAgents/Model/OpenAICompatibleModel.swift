import AsyncHTTPClient
import DBOS
public import Foundation
import NIOCore
import NIOHTTP1

/// A model behind an OpenAI-compatible chat-completions API (`POST {base}/chat/completions`
/// with `tools` and `stream: true`): OpenAI itself, or a local server such as llama.cpp, vLLM
/// or Ollama. Tokens are passed on as the server streams them; tool calls are assembled from
/// their streamed pieces.
///
/// ``fromEnvironment(_:)`` reads `OPENAI_BASE_URL` (default `https://api.openai.com/v1`),
/// `OPENAI_API_KEY` and `OPENAI_MODEL` (default `gpt-4o-mini`).
public struct OpenAICompatibleModel: AgentModel {
    /// The API's base URL, without a trailing slash.
    public let baseURL: String
    /// The bearer token, when the server needs one.
    public let apiKey: String?
    /// The model's name on the server.
    public let model: String
    /// How long one request may take.
    public let timeout: Duration

    public var name: String { "openai:\(model)" }

    /// Creates a client.
    public init(baseURL: String, apiKey: String?, model: String, timeout: Duration = .seconds(120)) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.apiKey = apiKey
        self.model = model
        self.timeout = timeout
    }

    /// The client the environment describes. Throws when `OPENAI_API_KEY` is missing and the
    /// base URL is OpenAI's own (local servers usually need no key).
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> OpenAICompatibleModel {
        let base = environment["OPENAI_BASE_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? "https://api.openai.com/v1"
        let key = environment["OPENAI_API_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        if key == nil, base.contains("api.openai.com") {
            throw OpenAIModelError("OPENAI_API_KEY is not set (or set OPENAI_BASE_URL to a local server)")
        }
        return OpenAICompatibleModel(baseURL: base, apiKey: key,
                                     model: environment["OPENAI_MODEL"].flatMap { $0.isEmpty ? nil : $0 } ?? "gpt-4o-mini")
    }

    public func respond(to conversation: [AgentMessage], tools: [ToolSpec],
                        onToken: @escaping @Sendable (String) async throws -> Void) async throws -> ModelTurn {
        var request = HTTPClientRequest(url: "\(baseURL)/chat/completions")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        if let apiKey { request.headers.add(name: "Authorization", value: "Bearer \(apiKey)") }
        request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(OpenAIChatRequest(model: model, conversation, tools))))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(timeout.components.seconds))
        guard response.status == .ok else {
            let body = try await response.body.collect(upTo: 1 << 20)
            throw OpenAIModelError("chat/completions answered HTTP \(response.status.code): \(String(buffer: body).prefix(500))")
        }
        var assembler = OpenAIStreamAssembler()
        var pending = ""
        for try await chunk in response.body {
            pending += String(buffer: chunk)
            while let newline = pending.firstIndex(of: "\n") {
                let line = String(pending[..<newline]).trimmingCharacters(in: .whitespaces)
                pending = String(pending[pending.index(after: newline)...])
                if let token = try assembler.consume(line) { try await onToken(token) }
            }
        }
        return try assembler.turn()
    }
}

/// The API answered something unusable.
public struct OpenAIModelError: Error, CustomStringConvertible {
    /// What went wrong.
    public var description: String
    init(_ description: String) { self.description = description }
}
