// snippet: readme-agents
// Package.swift: .package(path: "../dbos-transact-swift/Agents"), then .product(name: "DBOSAgents", package: "dbos-agents")
import DBOSAgents
// end snippet
import DBOS

// snippet: readme-agents
struct WeatherQuery: Codable, Sendable { var city: String }
// end snippet

/// Stands in for the application's weather call.
func fetchWeather(_ city: String) async throws -> String { "sunny in \(city)" }
/// Stands in for the application's credential.
let hotelsToken = "token"

func readmeAgents() throws -> Workflow<String, AgentResult> {
    // snippet: readme-agents
    let weather = AgentTool.function("weather", description: "Today's weather in a city",
                                     policy: StepPolicy(retries: .exponential(maxAttempts: 3), timeout: .seconds(10))) {
        (query: WeatherQuery) in try await fetchWeather(query.city)          // schema derived from WeatherQuery
    }
    let maps = MCPServer(name: "maps", command: ["/usr/local/bin/maps-mcp"])  // stdio child process
    let hotels = MCPServer(name: "hotels", url: "https://mcp.example.com/mcp",  // Streamable HTTP
                           headers: ["Authorization": "Bearer \(hotelsToken)"])
    let agent = Agent(model: try OpenAICompatibleModel.fromEnvironment(),      // or ScriptedAgentModel { ... } (offline)
                      instructions: "Plan the trip.", tools: [weather, .approval(timeout: .seconds(3600))],
                      mcpServers: [maps, hotels], maxTurns: 8)
    let trip = Workflow("trip") { (task: String) async throws -> AgentResult in try await agent.run(task) }
    // end snippet
    return trip
}
