// The agents the fixture runs, and the model scripts that drive them.
import DBOS
import DBOSAgents
import Foundation

enum Scenarios {
    /// Three MCP lookups, one per turn, then an answer made of their results.
    static let lookupScript = ScriptedAgentModel { conversation, _ in
        let results = conversation.filter { $0.role == "tool" }.map(\.content)
        let keys = ["alpha", "beta", "gamma"]
        if results.count < keys.count {
            let key = keys[results.count]
            return ModelTurn(text: "Looking up \(key). ",
                             toolCalls: [ToolCall(id: "call-\(key)", name: "lookup", arguments: .object(["key": .string(key)]))])
        }
        return ModelTurn(text: "Answer: " + zip(keys, results).map { "\($0)=\($1)" }.joined(separator: ", "))
    }

    /// One local tool call, then a long streamed answer.
    static let streamScript = ScriptedAgentModel { conversation, _ in
        guard let result = conversation.last(where: { $0.role == "tool" })?.content else {
            return ModelTurn(text: "Let me check the time first. ", toolCalls: [ToolCall(id: "call-clock", name: "clock")])
        }
        return ModelTurn(text: "It is \(result) and durable agents stream every token of this answer exactly once to a reader that reconnects.")
    }

    static let clock = AgentTool.function("clock", description: "The current time.") { (_: NoArguments) in "noon" }
}

/// A tool that takes no arguments.
struct NoArguments: Codable, Sendable {}

/// Wraps a model so that one turn stops forever after some tokens (the test then kills the
/// process): `HANGING` is printed when it does.
struct HangingModel: AgentModel {
    let inner: any AgentModel
    let turn: Int?
    let afterTokens: Int
    var name: String { inner.name }

    func respond(to conversation: [AgentMessage], tools: [ToolSpec],
                 onToken: @escaping @Sendable (String) async throws -> Void) async throws -> ModelTurn {
        let thisTurn = conversation.filter { $0.role == "assistant" }.count + 1
        guard thisTurn == turn else { return try await inner.respond(to: conversation, tools: tools, onToken: onToken) }
        if afterTokens == 0 { await hang(thisTurn) }
        let count = Counter()
        return try await inner.respond(to: conversation, tools: tools) { token in
            try await onToken(token)
            if count.increment() == afterTokens { await hang(thisTurn) }
        }
    }

    private func hang(_ turn: Int) async -> Never {
        say("HANGING at turn \(turn)")
        while true { try? await Task.sleep(for: .seconds(3600)) }
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func increment() -> Int { lock.withLock { value += 1; return value } }
}

/// Prints a line at once (the tests wait for these lines in the output file).
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
