import NIOHTTP1
import AsyncHTTPClient
public import Foundation
import NIOCore

/// The embeddings of an OpenAI-compatible HTTP API (`POST {base}/embeddings`): OpenAI itself,
/// or a local server such as llama.cpp, vLLM or Ollama.
///
/// Configured from the environment by ``fromEnvironment(_:)``: `OPENAI_BASE_URL` (default
/// `https://api.openai.com/v1`), `OPENAI_API_KEY` and `OPENAI_EMBEDDING_MODEL` (default
/// `text-embedding-3-small`), as DBOSAgents' `OpenAICompatibleModel` reads its chat model.
public struct OpenAICompatibleEmbedding: EmbeddingModel {
    /// The API's base URL, without a trailing slash.
    public let baseURL: String
    /// The bearer token, when the server needs one.
    public let apiKey: String?
    /// The embedding model's name on the server.
    public let model: String
    /// How long one request may take.
    public let timeout: Duration

    /// Creates a client.
    public init(baseURL: String, apiKey: String?, model: String = "text-embedding-3-small", timeout: Duration = .seconds(120)) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.apiKey = apiKey
        self.model = model
        self.timeout = timeout
    }

    /// The client the environment describes. Throws when `OPENAI_API_KEY` is missing and the
    /// base URL is OpenAI's own (local servers usually need no key).
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> OpenAICompatibleEmbedding {
        let base = environment["OPENAI_BASE_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? "https://api.openai.com/v1"
        let key = environment["OPENAI_API_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        if key == nil, base.contains("api.openai.com") {
            throw ModelError.configuration("--embedding openai needs OPENAI_API_KEY (or OPENAI_BASE_URL pointing at a local server)")
        }
        return OpenAICompatibleEmbedding(
            baseURL: base, apiKey: key,
            model: environment["OPENAI_EMBEDDING_MODEL"].flatMap { $0.isEmpty ? nil : $0 } ?? "text-embedding-3-small")
    }

    /// The embedding of `text`, from `POST {base}/embeddings`.
    public func embed(_ text: String) async throws -> [Double] {
        struct Request: Encodable { var model: String; var input: String }
        struct Response: Decodable { struct Item: Decodable { var embedding: [Double] }; var data: [Item] }
        let response: Response = try await post("embeddings", Request(model: model, input: text))
        guard let vector = response.data.first?.embedding else { throw ModelError.badResponse("embeddings returned no vector") }
        return vector
    }

    private func post<Body: Encodable, Reply: Decodable>(_ path: String, _ body: Body) async throws -> Reply {
        var request = HTTPClientRequest(url: "\(baseURL)/\(path)")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        if let apiKey { request.headers.add(name: "Authorization", value: "Bearer \(apiKey)") }
        request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(body)))
        let milliseconds = timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000
        let response = try await HTTPClient.shared.execute(request, timeout: .milliseconds(milliseconds))
        let bytes = try await response.body.collect(upTo: 16 << 20)
        let data = Data(bytes.readableBytesView)
        guard response.status == .ok else {
            throw ModelError.badResponse("\(path) answered HTTP \(response.status.code): \(String(decoding: data.prefix(500), as: UTF8.self))")
        }
        do {
            return try JSONDecoder().decode(Reply.self, from: data)
        } catch {
            throw ModelError.badResponse("\(path) answered JSON that is not a \(Reply.self): \(error)")
        }
    }
}

/// An embedding model could not be configured or answered something unusable.
public enum ModelError: Error, CustomStringConvertible {
    case configuration(String)
    case badResponse(String)

    public var description: String {
        switch self {
        case .configuration(let message): "model configuration: \(message)"
        case .badResponse(let message): "model response: \(message)"
        }
    }
}
