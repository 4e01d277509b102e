public import DBOS
import Foundation
public import MCP

/// An MCP server that lets any MCP client start durable work and come back for it. Its tools:
///
/// - `start_<workflow>` for each ``ExposedWorkflow``: `{"input": ..., "workflow_id"?: "..."}`,
///   answers `{"workflow_id": "..."}` (a given ID is the idempotency key);
/// - `workflow_status`: `{"workflow_id"}`, answers `{"workflow_id","name","state"}`;
/// - `workflow_result`: `{"workflow_id", "wait_seconds"?}`, answers `{"state","output"}` once the
///   workflow succeeded (an error result when it failed, `{"state": "PENDING"}` while it runs);
/// - `workflow_send`: `{"workflow_id", "topic"?, "message"}`, sends a message to it.
///
/// ```swift
/// let server = WorkflowToolServer(dbos, workflows: [ExposedWorkflow(research, description: "Research a question")])
/// try await server.serveStdio()   // or: try await server.makeServer().start(transport: anyTransport)
/// ```
public struct WorkflowToolServer: Sendable {
    private let dbos: DBOS
    private let workflows: [String: ExposedWorkflow]
    private let order: [String]
    /// The server's name in the MCP handshake.
    public let name: String

    /// A server for `workflows` of the launched runtime `dbos`.
    public init(_ dbos: DBOS, workflows: [ExposedWorkflow], name: String = "dbos-workflows") {
        self.dbos = dbos
        self.workflows = Dictionary(workflows.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.order = workflows.map(\.name)
        self.name = name
    }

    /// The tools the server lists.
    public var tools: [Tool] {
        order.compactMap { workflows[$0] }.map { workflow in
            Tool(name: "start_\(workflow.name)", description: "Start the durable workflow '\(workflow.name)': \(workflow.description)",
                 inputSchema: Self.object(["input": (try? MCP.Value(json: workflow.inputSchema)) ?? .object([:]),
                                           "workflow_id": Self.string("an ID for the workflow (idempotency key)")],
                                          required: ["input"]))
        } + [
            Tool(name: "workflow_status", description: "The state of a workflow (PENDING, SUCCESS, ERROR, ...).",
                 inputSchema: Self.object(["workflow_id": Self.string("the workflow's ID")], required: ["workflow_id"])),
            Tool(name: "workflow_result", description: "The output of a workflow, waiting up to wait_seconds for it to finish.",
                 inputSchema: Self.object(["workflow_id": Self.string("the workflow's ID"),
                                           "wait_seconds": .object(["type": .string("number")])], required: ["workflow_id"])),
            Tool(name: "workflow_send", description: "Send a message to a waiting workflow.",
                 inputSchema: Self.object(["workflow_id": Self.string("the workflow's ID"), "topic": Self.string("the topic"),
                                           "message": .object([:])], required: ["workflow_id", "message"])),
        ]
    }

    /// An MCP server with the tools' handlers, not started yet.
    public func makeServer() async -> Server {
        let server = Server(name: name, version: "1.0.0", capabilities: .init(tools: .init(listChanged: false)))
        let tools = tools
        await server.withMethodHandler(ListTools.self) { _ in ListTools.Result(tools: tools) }
        await server.withMethodHandler(CallTool.self) { [self] parameters in
            do {
                let reply = try await call(parameters.name, arguments: try JSONValue(mcp: .object(parameters.arguments ?? [:])))
                return CallTool.Result(content: [.text(text: reply.description, annotations: nil, _meta: nil)], isError: false)
            } catch {
                return CallTool.Result(content: [.text(text: WorkflowFailure(error).message, annotations: nil, _meta: nil)], isError: true)
            }
        }
        return server
    }

    /// Serves over this process's standard input and output until the client disconnects.
    public func serveStdio() async throws {
        let server = await makeServer()
        try await server.start(transport: StdioTransport())
        await server.waitUntilCompleted()
    }

    /// Runs tool `tool`; returns its JSON answer.
    func call(_ tool: String, arguments: JSONValue) async throws -> JSONValue {
        guard case .object(let fields) = arguments else { throw WorkflowToolError("arguments must be an object") }
        func text(_ key: String) throws -> String {
            guard case .string(let value)? = fields[key] else { throw WorkflowToolError("missing string argument '\(key)'") }
            return value
        }
        if tool.hasPrefix("start_"), let workflow = workflows[String(tool.dropFirst(6))] {
            let id = try await workflow.start(dbos, fields["input"] ?? .null, try? text("workflow_id"))
            return .object(["workflow_id": .string(id)])
        }
        switch tool {
        case "workflow_status":
            let id = try text("workflow_id")
            guard let status = try await dbos.getWorkflowStatus(id) else { throw WorkflowToolError("no workflow '\(id)'") }
            return .object(["workflow_id": .string(id), "name": .string(status.name), "state": .string(status.state.rawValue)])
        case "workflow_result":
            return try await result(try text("workflow_id"), wait: fields["wait_seconds"])
        case "workflow_send":
            let topic = try? text("topic")
            try await dbos.send(fields["message"] ?? .null, to: try text("workflow_id"), topic: topic)
            return .object(["sent": .bool(true)])
        default:
            throw WorkflowToolError("unknown tool '\(tool)'")
        }
    }

    private func result(_ id: String, wait: JSONValue?) async throws -> JSONValue {
        let handle = try await dbos.retrieve(id, as: JSONValue.self)
        let seconds: Double = if case .number(let value)? = wait { max(0, value) } else { 0 }
        let output: JSONValue? = try await withThrowingTaskGroup(of: JSONValue?.self) { group in
            group.addTask { try await handle.result() }
            group.addTask {
                if seconds > 0 { try await Task.sleep(for: .milliseconds(Int64(seconds * 1000))) }
                let state = try await handle.status().state
                return state.isActive ? nil : try await handle.result()
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
        guard let output else { return .object(["state": .string(try await handle.status().state.rawValue)]) }
        return .object(["state": .string("SUCCESS"), "output": output])
    }

    private static func string(_ description: String) -> MCP.Value {
        .object(["type": .string("string"), "description": .string(description)])
    }

    private static func object(_ properties: [String: MCP.Value], required: [String]) -> MCP.Value {
        .object(["type": .string("object"), "properties": .object(properties), "required": .array(required.map { .string($0) })])
    }
}

/// A workflow tool was called wrongly.
struct WorkflowToolError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension JSONValue {
    /// The same JSON as a DBOS value.
    init(mcp value: MCP.Value) throws {
        self = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(value))
    }
}
