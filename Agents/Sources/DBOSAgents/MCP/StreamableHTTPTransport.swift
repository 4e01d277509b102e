import AsyncHTTPClient
import Foundation
import Logging
import MCP
import NIOCore
import NIOHTTP1

/// An MCP client transport over Streamable HTTP (MCP 2025-03-26 and later): each JSON-RPC
/// message is POSTed to the endpoint, and the server answers with a JSON body or with a
/// server-sent-events stream that carries the response (and any messages sent before it).
///
/// Written on AsyncHTTPClient, so SSE answers are read on Linux too (the SDK's
/// `HTTPClientTransport` reads them only on Apple platforms). The session ID the server assigns
/// at initialization (`Mcp-Session-Id`) and the negotiated protocol version are sent with every
/// later request; `disconnect()` ends the session with a DELETE. Server-initiated messages
/// outside a request (the optional GET stream) are not read: tool calls do not need them.
actor StreamableHTTPTransport: Transport {
    nonisolated let logger: Logger
    private let endpoint: String
    private let headers: [String: String]
    private let timeout: Duration
    private let messages: AsyncThrowingStream<Data, any Error>
    private let continuation: AsyncThrowingStream<Data, any Error>.Continuation
    private var sessionID: String?
    private var protocolVersion: String?

    /// The HTTP client of every MCP session: a server that cannot be reached fails the request
    /// at once (the step's retry policy decides what follows), where the shared client would
    /// keep trying to connect until the request's deadline.
    private static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    init(endpoint: String, headers: [String: String], timeout: Duration, logger: Logger) {
        self.endpoint = endpoint
        self.headers = headers
        self.timeout = timeout
        self.logger = logger
        (messages, continuation) = AsyncThrowingStream.makeStream()
    }

    func connect() async throws {}

    func disconnect() async {
        continuation.finish()
        guard let sessionID else { return }
        self.sessionID = nil
        var request = HTTPClientRequest(url: endpoint)
        request.method = .DELETE
        request.headers.add(name: "Mcp-Session-Id", value: sessionID)
        _ = try? await Self.client.execute(request, timeout: .seconds(5))   // best effort: the server may be gone
    }

    func receive() -> AsyncThrowingStream<Data, any Error> { messages }

    /// POSTs one message and passes on what the server answers (nothing for a notification).
    func send(_ data: Data) async throws {
        var request = HTTPClientRequest(url: endpoint)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json, text/event-stream")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let sessionID { request.headers.add(name: "Mcp-Session-Id", value: sessionID) }
        if let protocolVersion { request.headers.add(name: "MCP-Protocol-Version", value: protocolVersion) }
        request.body = .bytes(ByteBuffer(bytes: data))
        let response = try await Self.client.execute(request, timeout: .seconds(max(timeout.components.seconds, 1)))
        if let assigned = response.headers.first(name: "Mcp-Session-Id") { sessionID = assigned }
        guard (200..<300).contains(response.status.code) else {
            let body = try await response.body.collect(upTo: 1 << 20)
            throw MCPError.transportError(HTTPStatusError(status: Int(response.status.code), body: String(String(buffer: body).prefix(300))))
        }
        if response.status == .accepted { return }   // a notification or a response: no answer
        let type = response.headers.first(name: "Content-Type") ?? ""
        if type.contains("text/event-stream") {
            var events = ServerSentEvents()
            for try await chunk in response.body {
                for message in events.consume(String(buffer: chunk)) { deliver(Data(message.utf8)) }
            }
            for message in events.finish() { deliver(Data(message.utf8)) }
        } else {
            let body = try await response.body.collect(upTo: 64 << 20)
            if body.readableBytes > 0 { deliver(Data(body.readableBytesView)) }
        }
    }

    /// Passes a message to the client, noting the protocol version an initialize result names.
    private func deliver(_ message: Data) {
        if protocolVersion == nil,
           let object = try? JSONSerialization.jsonObject(with: message) as? [String: Any],
           let result = object["result"] as? [String: Any], let version = result["protocolVersion"] as? String {
            protocolVersion = version
        }
        continuation.yield(message)
    }
}

/// An HTTP answer other than 2xx.
struct HTTPStatusError: Error, CustomStringConvertible {
    var status: Int
    var body: String
    var description: String { "the MCP server answered HTTP \(status): \(body)" }
}

/// Splits a server-sent-events body into the `data` of its events (lines joined by newlines,
/// as the SSE format says); comments, `id`, `event` and `retry` fields are skipped.
struct ServerSentEvents {
    private var pending = ""
    private var data: [String] = []

    /// The data of the events completed by `text`.
    mutating func consume(_ text: String) -> [String] {
        pending += text
        var completed: [String] = []
        while let newline = pending.firstIndex(where: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            let line = String(pending[..<newline])
            pending = String(pending[pending.index(after: newline)...])
            if line.isEmpty {
                if !data.isEmpty { completed.append(data.joined(separator: "\n")) }
                data = []
            } else if line.hasPrefix("data:") {
                let value = line.dropFirst(5)
                data.append(String(value.hasPrefix(" ") ? value.dropFirst() : value))
            }
        }
        return completed
    }

    /// The data of an event the stream ended without a blank line after.
    mutating func finish() -> [String] {
        let rest = consume("\n\n")
        pending = ""
        return rest
    }
}
