import DBOS
import Foundation
import Logging
import MCP

/// An MCP server whose tools an ``Agent`` may call: a child process started from a command and
/// spoken to over its standard input and output, or a server at a Streamable HTTP endpoint.
///
/// The connection is made at the first use in this process and kept for later calls; when the
/// process exits (or the HTTP session fails), the next call connects again. Calls go through the
/// agent's steps: the tool list once per run (`mcp.listTools:<name>`), each call as
/// `mcp:<name>/<tool>` with ``policy``'s retries and timeout. Starting the server (its process
/// and the MCP handshake) has a bound of its own, ``startTimeout``, and does not count against a
/// call's timeout: a server fetched and started by `npx` or `uvx` can take longer to come up
/// than a tool call should take to answer. A call cut short by the server
/// process's exit fails with ``AgentError/serverExited(server:during:status:)``; an HTTP server
/// that cannot be reached, with ``AgentError/serverUnavailable(server:reason:)`` (each retried
/// when the policy says so, on a new connection).
public final class MCPServer: Sendable {
    /// How the server is reached.
    public enum Connection: Sendable, Equatable {
        /// A child process: `command[0]` a path or a name found on `PATH`, with `environment`
        /// added to this process's environment.
        case process(command: [String], environment: [String: String])
        /// A Streamable HTTP endpoint (`https://host/mcp`), with `headers` sent on every request
        /// (`Authorization`, say).
        case http(url: String, headers: [String: String])
    }

    /// The name of the server in step names and messages.
    public let name: String
    /// How the server is reached.
    public let connection: Connection
    /// Retries and timeout of each call (and of listing the tools).
    public let policy: StepPolicy
    /// How long starting the server (the process and its MCP handshake, or an HTTP session's
    /// initialize) may take; a start that takes longer ends the process and fails the attempt
    /// with ``AgentError/serverUnavailable(server:reason:)``.
    public let startTimeout: Duration
    private let sessions: SessionHolder

    /// The default policy: three attempts, a minute each.
    public static let defaultPolicy = StepPolicy(retries: .exponential(maxAttempts: 3, initialInterval: .milliseconds(200)),
                                                 timeout: .seconds(60))

    /// The default ``startTimeout``.
    public static let defaultStartTimeout = Duration.seconds(60)

    /// A server run as a child process; nothing starts until the first call.
    public convenience init(name: String, command: [String], environment: [String: String] = [:],
                            policy: StepPolicy = MCPServer.defaultPolicy, startTimeout: Duration = MCPServer.defaultStartTimeout) {
        self.init(name: name, connection: .process(command: command, environment: environment), policy: policy, startTimeout: startTimeout)
    }

    /// A server at a Streamable HTTP endpoint; nothing is sent until the first call.
    public convenience init(name: String, url: String, headers: [String: String] = [:], policy: StepPolicy = MCPServer.defaultPolicy,
                            startTimeout: Duration = MCPServer.defaultStartTimeout) {
        self.init(name: name, connection: .http(url: url, headers: headers), policy: policy, startTimeout: startTimeout)
    }

    /// A server reached through `connection`.
    public init(name: String, connection: Connection, policy: StepPolicy = MCPServer.defaultPolicy,
                startTimeout: Duration = MCPServer.defaultStartTimeout) {
        self.name = name
        self.connection = connection
        self.policy = policy
        self.startTimeout = startTimeout
        self.sessions = SessionHolder(name: name, connection: connection, timeout: policy.timeout, startTimeout: startTimeout)
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

    /// Runs `body` within ``policy``'s timeout, once the server is up (its start has a bound of
    /// its own). Past the timeout the server is ended.
    private func endingOnTimeout<T: Sendable>(_ what: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await sessions.start()
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

/// The live connection to one server, made on demand: a process and its client, or an HTTP
/// session's client.
private actor SessionHolder {
    let name: String
    let connection: MCPServer.Connection
    let timeout: Duration
    let startTimeout: Duration
    private var current: (client: Client, process: PipedProcess?)?
    private var starting: Task<(Client, PipedProcess?), any Error>?

    init(name: String, connection: MCPServer.Connection, timeout: Duration, startTimeout: Duration) {
        self.name = name
        self.connection = connection
        self.timeout = timeout
        self.startTimeout = startTimeout
    }

    /// Connects unless connected.
    func start() async throws {
        _ = try await connection()
    }

    /// Runs `body` with a connected client. An error while the process ended becomes
    /// ``AgentError/serverExited(server:during:status:)``; an HTTP request that did not reach the
    /// server, ``AgentError/serverUnavailable(server:reason:)``, and the session is dropped so
    /// the next call connects again.
    func using<T: Sendable>(_ what: String, _ body: @Sendable (Client) async throws -> T) async throws -> T {
        let (client, process) = try await connection()
        do {
            return try await body(client)
        } catch let error as AgentError {
            throw error
        } catch {
            if let process, process.ended != nil || !isAlive(process) {
                let status = await process.reap()
                throw AgentError.serverExited(server: name, during: what, status: status)
            }
            if process == nil, !(error is CancellationError), !(error is MCPError) || Self.isTransportFailure(error) {
                await close()
                throw AgentError.serverUnavailable(server: name, reason: "\(what) failed: \(error)")
            }
            throw error
        }
    }

    /// Whether an MCP error stands for the connection rather than for the server's answer.
    private static func isTransportFailure(_ error: any Error) -> Bool {
        guard let error = error as? MCPError else { return false }
        switch error {
        case .connectionClosed, .transportError: return true
        default: return false
        }
    }

    private func isAlive(_ process: PipedProcess) -> Bool { process.ended == nil && kill(process.pid, 0) == 0 }

    /// The live connection, or a new one; calls that arrive while one is made wait for it.
    private func connection() async throws -> (Client, PipedProcess?) {
        if let current, current.process?.ended == nil { return current }
        if let starting { return try await starting.value }
        let (name, connection, timeout, startTimeout) = (name, connection, timeout, startTimeout)
        let task = Task { try await Self.connect(name: name, connection, timeout: timeout, startTimeout: startTimeout) }
        starting = task
        defer { starting = nil }
        let started = try await task.value
        current = started
        return started
    }

    /// Starts the process (or opens the HTTP session) and makes the MCP handshake, within
    /// `startTimeout`.
    private static func connect(name: String, _ connection: MCPServer.Connection, timeout: Duration,
                                startTimeout: Duration) async throws -> (Client, PipedProcess?) {
        let client = Client(name: "dbos-agents", version: "1.0.0")
        let logger = Logger(label: "dbos.agents.mcp.\(name)")
        let handshake = "starting MCP server '\(name)'"
        switch connection {
        case .process(let command, let environment):
            let process = try PipedProcess(command: command, environment: environment)
            let transport = ChildProcessTransport(process: process, logger: logger) { _ in await client.disconnect() }
            do {
                _ = try await withTimeout(startTimeout, handshake) { try await client.connect(transport: transport) }
            } catch {
                if case AgentError.timedOut = error { await process.terminate() }
                let status = await process.reap()
                throw AgentError.serverUnavailable(server: name, reason: "initialize failed (\(status)): \(error)")
            }
            return (client, process)
        case .http(let url, let headers):
            let transport = StreamableHTTPTransport(endpoint: url, headers: headers, timeout: timeout, logger: logger)
            do {
                _ = try await withTimeout(startTimeout, handshake) { try await client.connect(transport: transport) }
            } catch {
                await client.disconnect()
                throw AgentError.serverUnavailable(server: name, reason: "initialize at \(url) failed: \(error)")
            }
            return (client, nil)
        }
    }

    func close() async {
        guard let current else { return }
        self.current = nil
        await current.client.disconnect()
        await current.process?.terminate()
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
