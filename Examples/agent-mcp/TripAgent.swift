// The agent: asks the MCP server for the weather and the sights of a city (two tool calls in
// one turn, run in parallel as two steps), then writes a short plan.
import DBOS
import DBOSAgents
import Foundation

enum TripAgent {
    /// The offline model: one turn of tool calls, then the plan from their results.
    static let script = ScriptedAgentModel { conversation, _ in
        let city = conversation.lastUserMessage.components(separatedBy: " ").last?.trimmingCharacters(in: .punctuationCharacters) ?? ""
        let results = conversation.latestToolResults
        if results.isEmpty {
            return ModelTurn(text: "Checking \(city). ", toolCalls: [
                ToolCall(id: "weather-1", name: "weather", arguments: .object(["city": .string(city)])),
                ToolCall(id: "sights-1", name: "sights", arguments: .object(["city": .string(city)])),
            ])
        }
        return ModelTurn(text: "Plan for \(city): the weather is \(results[0].content), so see \(results[1].content).")
    }

    static func make(model: any AgentModel, toolServer: MCPServer) -> Agent {
        Agent(model: model, instructions: "Plan a day trip. Use the tools for facts.", mcpServers: [toolServer], maxTurns: 4)
    }
}
