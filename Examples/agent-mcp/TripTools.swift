// The MCP server of the example: `agent-mcp serve-tools` answers MCP over stdio with two
// travel tools. Any MCP server would do; this one is built on the same SDK so the example runs
// offline. Each call is appended to --call-log, when given, to show that recovery and forks do
// not call a tool twice.
import Foundation
import MCP

enum TripTools {
    static let weather = ["Lisbon": "sunny, 24°C", "Oslo": "rain, 9°C", "Kyoto": "clear, 18°C"]
    static let sights = ["Lisbon": "Belém Tower, Alfama", "Oslo": "the Opera House, Vigeland Park", "Kyoto": "Fushimi Inari, Gion"]

    static func serve(callLog: String?) async throws {
        let city: Value = .object(["type": "object", "properties": .object(["city": .object(["type": "string"])]), "required": ["city"]])
        let tools = [
            Tool(name: "weather", description: "Today's weather in a city.", inputSchema: city),
            Tool(name: "sights", description: "What to see in a city.", inputSchema: city),
        ]
        let server = Server(name: "trip-tools", version: "1.0.0", capabilities: .init(tools: .init(listChanged: false)))
        await server.withMethodHandler(ListTools.self) { _ in ListTools.Result(tools: tools) }
        await server.withMethodHandler(CallTool.self) { parameters in
            let name = parameters.arguments?["city"]?.stringValue ?? ""
            if let callLog { appendLine("\(parameters.name)\t\(name)", to: callLog) }
            let table = parameters.name == "weather" ? weather : sights
            guard let answer = table[name] else {
                return CallTool.Result(content: [.text(text: "no data for \(name)", annotations: nil, _meta: nil)], isError: true)
            }
            return CallTool.Result(content: [.text(text: answer, annotations: nil, _meta: nil)], isError: false)
        }
        try await server.start(transport: StdioTransport())
        await server.waitUntilCompleted()
    }

    /// One append (O_APPEND), so calls handled at the same time do not overwrite each other.
    private static func appendLine(_ line: String, to path: String) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        guard descriptor >= 0 else { return }
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
    }
}
