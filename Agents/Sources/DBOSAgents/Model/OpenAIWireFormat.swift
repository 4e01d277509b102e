import DBOS
import Foundation

/// The request body of a streamed chat completion with tools.
struct OpenAIChatRequest: Encodable {
    struct Message: Encodable {
        struct Call: Encodable {
            struct Function: Encodable { var name: String; var arguments: String }
            var id: String
            var type = "function"
            var function: Function
        }
        var role: String
        var content: String?
        var tool_calls: [Call]?
        var tool_call_id: String?
    }
    struct Tool: Encodable {
        struct Function: Encodable { var name: String; var description: String; var parameters: JSONValue }
        var type = "function"
        var function: Function
    }
    var model: String
    var messages: [Message]
    var tools: [Tool]?
    var stream = true
    var temperature = 0.0

    init(model: String, _ conversation: [AgentMessage], _ tools: [ToolSpec]) {
        self.model = model
        messages = conversation.map { message in
            let calls = message.toolCalls.map { call in
                Message.Call(id: call.id, function: .init(name: call.name, arguments: call.arguments.description))
            }
            return Message(role: message.role, content: message.content, tool_calls: calls.isEmpty ? nil : calls,
                           tool_call_id: message.toolCallID)
        }
        self.tools = tools.isEmpty ? nil : tools.map {
            Tool(function: .init(name: $0.name, description: $0.description, parameters: $0.inputSchema))
        }
    }
}

/// Builds a ``ModelTurn`` from the `data:` lines of a streamed chat completion.
struct OpenAIStreamAssembler {
    private struct Chunk: Decodable {
        struct Choice: Decodable {
            struct Delta: Decodable {
                struct CallPiece: Decodable {
                    struct Function: Decodable { var name: String?; var arguments: String? }
                    var index: Int
                    var id: String?
                    var function: Function?
                }
                var content: String?
                var tool_calls: [CallPiece]?
            }
            var delta: Delta
        }
        var choices: [Choice]
    }

    private var text = ""
    private var calls: [Int: (id: String, name: String, arguments: String)] = [:]

    /// Takes one line of the response; returns the text token it carries, if any.
    mutating func consume(_ line: String) throws -> String? {
        guard line.hasPrefix("data:") else { return nil }
        let payload = line.dropFirst(5).trimmingCharacters(in: .whitespaces)
        guard payload != "[DONE]", !payload.isEmpty else { return nil }
        let chunk: Chunk
        do {
            chunk = try JSONDecoder().decode(Chunk.self, from: Data(payload.utf8))
        } catch {
            throw OpenAIModelError("a streamed chunk is not a chat completion chunk: \(payload.prefix(300))")
        }
        guard let delta = chunk.choices.first?.delta else { return nil }
        for piece in delta.tool_calls ?? [] {
            var call = calls[piece.index] ?? ("", "", "")
            if let id = piece.id { call.id = id }
            if let name = piece.function?.name { call.name += name }
            if let arguments = piece.function?.arguments { call.arguments += arguments }
            calls[piece.index] = call
        }
        guard let content = delta.content, !content.isEmpty else { return nil }
        text += content
        return content
    }

    /// The assembled turn; arguments that are not JSON are passed on as a string (the tool
    /// then fails with a clear error).
    func turn() throws -> ModelTurn {
        let toolCalls = calls.keys.sorted().map { index in
            let call = calls[index]!
            let arguments = (try? JSONValue(parsing: call.arguments.isEmpty ? "{}" : call.arguments)) ?? .string(call.arguments)
            return ToolCall(id: call.id.isEmpty ? "call_\(index)" : call.id, name: call.name, arguments: arguments)
        }
        return ModelTurn(text: text, toolCalls: toolCalls)
    }
}
