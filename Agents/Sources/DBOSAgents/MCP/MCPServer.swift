public import DBOS
import Foundation
import Logging
import MCP

/// An MCP server whose tools an ``Agent`` may call: a child process started from `command`,
/// spoken to over its standard input and output.
///
/// The process is started at the first use in this process and kept for later calls; when it
/// exits, the next call starts it again. Calls go through the agent's steps: the tool list once
/// per run (`mcp.listTools:<name>`), each call as `mcp:<name>/<tool>` with ``policy``'s retries
/// and timeout. A call cut short by the server's exit fails with
/// ``AgentError/serverExited(server:during:status:)`` (and is retried when the policy says so,
/// on a new process).
public final class MCPServer: Sendable {
    /// The name of the server in step names and messages.
    public let name: String
    /// The command that starts it (`command[0]` a path, or a name found on `PATH`).
    public let command: [String]
    /// Variables added to this process's environment for the server.
    public let environment: [String: String]
    /// Retries and timeout of each call (and of listing the tools).
    public let policy: StepPolicy
    private let sessions: SessionHolder

    /// Describes a server; nothing starts until the first call.
    public init(name: String, command: [String], environment: [String: String] = [:],
                policy: StepPolicy = StepPolicy(retries: .exponential(maxAttempts: 3, initialInterval: .milliseconds(200)),
                                                timeout: .seconds(60))) {
        self.name = name
        self.command = command
        self.environment = environment
        self.policy = policy
        self.sessions = SessionHolder(name: name, command: command, environment: environment)
    }

    /// The server's tools, as the model sees them (a tool with an output schema returns JSON).
    /// Over ``policy``'s timeout, the process is ended as for a call.
    func listTools() async throws -> [ToolSpec] {
        try await endingOnTimeout("listing the tools of MCP server '\(name)'") { [self] in try await listToolsOnce() }
    }

    private func listToolsOnce() async throws -> [ToolSpec] {
        try await sessions.using("listing tools") { client in
            var specs: [ToolSpec] = []
            var cursor: String?
            repeat {
                let page = try await client.listTools(cursor: cursor)
                specs += try page.tools.map { tool in
                    ToolSpec(name: tool.name, description: tool.description ?? "", inputSchema: try tool.inputSchema.asJSONValue(),
                             returnsJSON: tool.outputSchema != nil)
                }
                cursor = page.nextCursor
            } while cursor != nil
            return specs
        }
    }

    /// Calls tool `spec` with `arguments`; returns its text content. A call that takes longer
    /// than ``policy``'s timeout fails with ``AgentError/timedOut(what:after:)`` and ends the
    /// server process (a server that does not answer one call may not answer the next either),
    /// so the next attempt starts a new one.
    func call(_ spec: ToolSpec, arguments: JSONValue) async throws -> String {
        try await endingOnTimeout("tool '\(spec.name)' of MCP server '\(name)'") { [self] in
            try await callOnce(spec, arguments: arguments)
        }
    }

    private func endingOnTimeout<T: Sendable>(_ what: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        do {
            return try await withTimeout(policy.timeout, what, body)
        } catch let error as AgentError {
            if case .timedOut = error { await sessions.close() }
            throw error
        }
    }

    private func callOnce(_ spec: ToolSpec, arguments: JSONValue) async throws -> String {
        let tool = spec.name
        return try await sessions.using("call to '\(tool)'") { client in
            let values = try MCP.Value(json: arguments).objectValue
            let (content, isError) = try await client.callTool(name: tool, arguments: values)
            let text = content.compactMap { item -> String? in
                if case .text(let text, _, _) = item { return text }
                return nil
            }.joined(separator: "\n")
            if isError == true { throw AgentError.toolFailed(tool: tool, message: text) }
            if spec.returnsJSON, (try? JSONValue(parsing: text)) == nil {
                throw AgentError.malformedToolOutput(tool: tool, output: text)
            }
            return text
        }
    }

    /// Stops the server process, if one runs.
    public func shutdown() async {
        await sessions.close()
    }
}

/// The live connection to one server process, started on demand.
private actor SessionHolder {
    let name: String
    let command: [String]
    let environment: [String: String]
    private var current: (client: Client, process: PipedProcess)?
    private var starting: Task<(Client, PipedProcess), any Error>?

    init(name: String, command: [String], environment: [String: String]) {
        self.name = name
        self.command = command
        self.environment = environment
    }

    /// Runs `body` with a connected client; an error while the process ended becomes
    /// ``AgentError/serverExited(server:during:status:)``.
    func using<T: Sendable>(_ what: String, _ body: @Sendable (Client) async throws -> T) async throws -> T {
        let (client, process) = try await connection()
        do {
            return try await body(client)
        } catch let error as AgentError {
            throw error
        } catch {
            if process.ended != nil || !isAlive(process) {
                let status = await process.reap()
                throw AgentError.serverExited(server: name, during: what, status: status)
            }
            throw error
        }
    }

    private func isAlive(_ process: PipedProcess) -> Bool { process.ended == nil && kill(process.pid, 0) == 0 }

    /// The live connection, or a new process; calls that arrive while one starts wait for it.
    private func connection() async throws -> (Client, PipedProcess) {
        if let current, current.process.ended == nil { return current }
        if let starting { return try await starting.value }
        let (name, command, environment) = (name, command, environment)
        let task = Task { try await Self.start(name: name, command: command, environment: environment) }
        starting = task
        defer { starting = nil }
        let started = try await task.value
        current = started
        return started
    }

    private static func start(name: String, command: [String], environment: [String: String]) async throws -> (Client, PipedProcess) {
        let process = try PipedProcess(command: command, environment: environment)
        let client = Client(name: "dbos-agents", version: "1.0.0")
        let transport = ChildProcessTransport(process: process, logger: Logger(label: "dbos.agents.mcp.\(name)")) { _ in
            await client.disconnect()
        }
        do {
            try await client.connect(transport: transport)
        } catch {
            let status = await process.reap()
            throw AgentError.serverUnavailable(server: name, reason: "initialize failed (\(status)): \(error)")
        }
        return (client, process)
    }

    func close() async {
        guard let current else { return }
        self.current = nil
        await current.client.disconnect()
        await current.process.terminate()
    }
}

extension MCP.Value {
    /// The same JSON as an MCP value.
    init(json: JSONValue) throws {
        self = try JSONDecoder().decode(MCP.Value.self, from: JSONEncoder().encode(json))
    }

    /// The same JSON as a DBOS value.
    func asJSONValue() throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(self))
    }
}
