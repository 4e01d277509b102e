// A DBOS application running a durable agent, for the DBOSAgents crash tests. Modes:
//
//   run <scenario> --database-url U --workflow-id ID [--mcp-server PATH --call-log F]
//       [--hang-turn N --hang-after-tokens K] [--http-port P]
//     starts the agent workflow `ID` (or lets recovery resume it), prints `RESULT: <answer>`;
//     with --http-port, serves GET /agents/:id/events (server-sent events of its stream).
//   serve-workflows --database-url U
//     an MCP server over stdio exposing the `greet` workflow.
import DBOS
import DBOSAgents
import Foundation
import HTTPTypes
import Hummingbird
import Logging

func option(_ name: String) -> String? {
    guard let index = CommandLine.arguments.firstIndex(of: name), index + 1 < CommandLine.arguments.count else { return nil }
    return CommandLine.arguments[index + 1]
}

let mode = CommandLine.arguments.dropFirst().first ?? ""
let databaseURL = option("--database-url")!

if mode == "serve-workflows" {
    let greet = Workflow("greet") { (name: String) async throws -> String in
        let greeting = try await DBOS.step("compose") { "Hello, \(name)!" }
        return greeting
    }
    var logger = Logger(label: "fixture")
    logger.logLevel = .critical
    let dbos = try DBOS(config: DBOSConfig(name: "agents-fixture", systemDatabaseURL: databaseURL))
    try dbos.register(greet)
    try await dbos.launch()
    try await WorkflowToolServer(dbos, workflows: [ExposedWorkflow(greet, description: "Greets someone.")]).serveStdio()
    await dbos.shutdown()
    exit(0)
}

let scenario = CommandLine.arguments.dropFirst(2).first ?? "lookup"
let workflowID = option("--workflow-id")!
let hangTurn = option("--hang-turn").flatMap(Int.init)
let hangAfter = option("--hang-after-tokens").flatMap(Int.init) ?? 0

var servers: [MCPServer] = []
if let path = option("--mcp-server") {
    servers.append(MCPServer(name: "fixture", command: [path], environment: ["FIXTURE_CALL_LOG": option("--call-log") ?? "/dev/null"]))
}
let script = scenario == "stream" ? Scenarios.streamScript : Scenarios.lookupScript
let agent = Agent(model: HangingModel(inner: script, turn: hangTurn, afterTokens: hangAfter),
                  instructions: "Answer with the tools.", tools: scenario == "stream" ? [Scenarios.clock] : [],
                  mcpServers: servers)
let workflow = Workflow("fixtureAgent") { (task: String) async throws -> AgentResult in try await agent.run(task) }

let dbos = try DBOS(config: DBOSConfig(name: "agents-fixture", systemDatabaseURL: databaseURL))
try dbos.register(workflow)
try await dbos.launch()

if let port = option("--http-port").flatMap(Int.init) {
    let router = Router()
    let feed = AgentEventFeed(dbos)
    router.get("agents/:id/events") { request, context -> Response in
        let id = try context.parameters.require("id")
        let last = request.headers[HTTPField.Name("Last-Event-ID")!].flatMap { Int($0) }
        let events = feed.serverSentEvents(of: id, after: last)
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
                        body: ResponseBody { writer in
                            for try await event in events { try await writer.write(ByteBuffer(string: event)) }
                            try await writer.finish(nil)
                        })
    }
    var logger = Logger(label: "fixture-http")
    logger.logLevel = .critical
    let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)),
                          onServerRunning: { channel in say("LISTENING \(channel.localAddress?.port ?? 0)") },
                          logger: logger)
    Task { try await app.runService() }
}

let handle: WorkflowHandle<AgentResult>
if try await dbos.getWorkflowStatus(workflowID) == nil {
    handle = try await dbos.start(workflow, "Look things up.", options: WorkflowOptions(workflowID: workflowID))
} else {
    handle = try await dbos.retrieve(workflowID, as: AgentResult.self)
}
let result = try await handle.result()
say("RESULT: \(result.answer)")
if option("--http-port") != nil, CommandLine.arguments.contains("--linger") {
    while true { try await Task.sleep(for: .seconds(3600)) }
}
for server in servers { await server.shutdown() }
await dbos.shutdown()
exit(0)
