import DBOS
import DBOSAgents
import DBOSTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing

/// The OpenAI-compatible client against a live HTTP server that answers like one (streamed
/// chunks, a tool call in pieces): the agent streams the tokens, makes the call, and sends the
/// tool result back in the API's format.
@Suite(.timeLimit(.minutes(5)))
struct OpenAICompatibleModelTests {
    struct City: Codable, Sendable { var city: String }

    static func chunk(content: String? = nil, call: (id: String?, name: String?, arguments: String)? = nil) -> String {
        var delta: [String: JSONValue] = [:]
        if let content { delta["content"] = .string(content) }
        if let call {
            var function: [String: JSONValue] = ["arguments": .string(call.arguments)]
            if let name = call.name { function["name"] = .string(name) }
            var piece: [String: JSONValue] = ["index": .number(0), "function": .object(function)]
            if let id = call.id { piece["id"] = .string(id) }
            delta["tool_calls"] = .array([.object(piece)])
        }
        return "data: \(JSONValue.object(["choices": .array([.object(["delta": .object(delta)])])]).description)\n\n"
    }

    @Test(arguments: Backend.available)
    func toolCallsAndTokensGoThroughTheAPI(backend: Backend) async throws {
        let requests = Requests()
        let router = Router()
        router.post("v1/chat/completions") { request, _ -> Response in
            let body = try JSONValue(parsing: String(buffer: try await request.body.collect(upTo: 1 << 20)))
            let isSecond = requests.append(body) > 1
            let chunks = isSecond
                ? [Self.chunk(content: "Sunny"), Self.chunk(content: " in Oslo.")]
                : [Self.chunk(content: "Checking"), Self.chunk(call: ("call_1", "weather", "{\"ci")), Self.chunk(call: (nil, nil, "ty\":\"Oslo\"}"))]
            return Response(status: .ok, headers: [.contentType: "text/event-stream"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: chunks.joined() + "data: [DONE]\n\n")))
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let weather = AgentTool.function("weather", description: "Weather in a city.") { (query: City) in "sunny in \(query.city)" }
            let model = OpenAICompatibleModel(baseURL: "http://127.0.0.1:\(port)/v1/", apiKey: "test-key", model: "test-model")
            let agent = Agent(model: model, instructions: "Be brief.", tools: [weather])
            let workflow = Workflow("openAIAgent") { (task: String) async throws -> AgentResult in try await agent.run(task) }
            try await withAgentRuntime(try await backend.freshDatabaseURL("agents_openai"), workflow) { dbos in
                let handle = try await dbos.start(workflow, "Weather in Oslo?")
                let result = try await handle.result()
                #expect(result.answer == "Sunny in Oslo.")
                #expect(result.conversation[2].toolCalls == [ToolCall(id: "call_1", name: "weather", arguments: .object(["city": .string("Oslo")]))])
                var tokens: [String] = []
                for try await event in dbos.stream(Agent.defaultStreamKey, of: handle.workflowID, as: AgentStreamEvent.self)
                where event.kind == "token" { tokens.append(event.text) }
                #expect(tokens == ["Checking", "Sunny", " in Oslo."])
            }
        }
        let sent = requests.all
        #expect(sent.count == 2)
        guard sent.count == 2, case .object(let second) = sent[1], case .array(let messages)? = second["messages"] else { return }
        #expect(second["model"] == .string("test-model") && second["stream"] == .bool(true))
        let expectedTools = try JSONValue(parsing: """
            [{"type":"function","function":{"name":"weather","description":"Weather in a city.",
              "parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}]
            """)
        #expect(second["tools"] == expectedTools)
        #expect(messages.count == 4)
        #expect(messages.last == .object(["role": .string("tool"), "content": .string("sunny in Oslo"), "tool_call_id": .string("call_1")]))
        let assistant = try JSONValue(parsing: """
            {"role":"assistant","content":"Checking","tool_calls":[{"id":"call_1","type":"function",
             "function":{"name":"weather","arguments":"{\\"city\\":\\"Oslo\\"}"}}]}
            """)
        #expect(messages[2] == assistant)
    }
}

/// The request bodies the fake API received.
final class Requests: Sendable {
    private let bodies = Mutex<[JSONValue]>([])
    /// Records one; returns how many there are.
    func append(_ body: JSONValue) -> Int { bodies.withLock { $0.append(body); return $0.count } }
    var all: [JSONValue] { bodies.withLock { $0 } }
}
