// agent-mcp: a durable agent whose tools come from an MCP server, and the other direction, an
// MCP server that offers the agent's workflow to any MCP client.
//
//   swift run agent-mcp "Plan a day in Lisbon"          # run the agent (its MCP server: this binary, serve-tools)
//   swift run agent-mcp --serve-workflows               # MCP over stdio: start_tripPlanner, workflow_status, ...
import ArgumentParser
import DBOS
import DBOSAgents
import Foundation

@main
struct AgentMCPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent-mcp",
        abstract: "A durable agent with MCP tools; or an MCP server offering it as a workflow.")

    @Argument(help: "The request.")
    var request: String = "Plan a day in Lisbon"

    @Option(help: "System database URL (default: agent-mcp.sqlite; or DBOS_SYSTEM_DATABASE_URL).")
    var databaseURL: String?

    @Option(help: "scripted (offline, default) or openai (OPENAI_BASE_URL, OPENAI_API_KEY, OPENAI_MODEL).")
    var model: String = "scripted"

    @Option(help: "The workflow ID (the same ID resumes or returns that run).")
    var workflowID: String?

    @Option(help: "A file that gets one line per tool call the MCP server really makes.")
    var callLog: String?

    @Flag(help: "Serve the travel tools over MCP on stdin/stdout (the agent starts this itself).")
    var serveTools = false

    @Flag(help: "Serve the agent's workflow over MCP on stdin/stdout.")
    var serveWorkflows = false

    func run() async throws {
        if serveTools { return try await TripTools.serve(callLog: callLog) }
        let chosen: any AgentModel = model == "openai" ? try OpenAICompatibleModel.fromEnvironment() : TripAgent.script
        let me = Bundle.main.executableURL?.path ?? CommandLine.arguments[0]
        let tools = MCPServer(name: "trip-tools", command: [me, "--serve-tools"] + (callLog.map { ["--call-log", $0] } ?? []))
        let agent = TripAgent.make(model: chosen, toolServer: tools)
        let planner = Workflow("tripPlanner") { (request: String) async throws -> AgentResult in try await agent.run(request) }

        let url = databaseURL ?? ProcessInfo.processInfo.environment["DBOS_SYSTEM_DATABASE_URL"]
        let dbos = try DBOS(config: DBOSConfig(name: "agent-mcp", systemDatabaseURL: url))
        try dbos.register(planner)
        try await dbos.launch()
        if serveWorkflows {
            try await WorkflowToolServer(dbos, workflows: [ExposedWorkflow(planner, description: "Plan a day trip to a city.")]).serveStdio()
        } else {
            let handle = try await dbos.start(planner, request, options: WorkflowOptions(workflowID: workflowID))
            say("Workflow \(handle.workflowID): \(request) (model \(chosen.name))")
            for try await (_, event) in AgentEventFeed(dbos).events(of: handle.workflowID) where event.kind == "token" {
                FileHandle.standardOutput.write(Data(event.text.utf8))   // the model's tokens, as they are written
            }
            let result = try await handle.result()
            say("")
            for step in try await handle.steps() where step.functionName.hasPrefix("mcp:") {
                say("  step \(step.functionID) \(step.functionName): \(step.output ?? step.error ?? "")")
            }
            say("Answer: \(result.answer)")
        }
        await tools.shutdown()
        await dbos.shutdown()
    }
}

func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
