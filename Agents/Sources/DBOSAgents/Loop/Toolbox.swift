import DBOS

/// The tools of one run, by name, and how a call of each becomes a step.
struct Toolbox {
    private var local: [String: AgentTool] = [:]
    private var remote: [String: (server: MCPServer, spec: ToolSpec)] = [:]
    private(set) var specs: [ToolSpec] = []

    init(local tools: [AgentTool]) {
        for tool in tools where local[tool.spec.name] == nil {
            local[tool.spec.name] = tool
            specs.append(tool.spec)
        }
    }

    /// Adds an MCP server's (recorded) tool list; a name already taken keeps its first owner.
    mutating func add(_ listed: [ToolSpec], from server: MCPServer) {
        for spec in listed where local[spec.name] == nil && remote[spec.name] == nil {
            remote[spec.name] = (server, spec)
            specs.append(spec)
        }
    }

    /// Makes the calls of one model turn and returns one tool message per call, in order. Step
    /// tools start together (operation IDs reserved in the model's order); workflow tools run
    /// afterwards, in order. A call that fails (after its retries) answers with its error.
    func perform(_ calls: [ToolCall]) async throws -> [AgentMessage] {
        var started: [(call: ToolCall, step: StepTask<String>?)] = []
        for call in calls {
            started.append((call, try start(call)))
        }
        var messages: [AgentMessage] = []
        for (call, step) in started {
            let content: String
            do {
                if let step {
                    content = try await step.value
                } else if let tool = local[call.name], case .workflow(let body) = tool.kind {
                    content = try await body(call)
                } else {
                    content = ""
                }
            } catch {
                content = "error: " + (try toolErrorMessage(error))
            }
            messages.append(.tool(content, callID: call.id))
        }
        return messages
    }

    /// Starts the step of one call (nil for a workflow tool, which runs in the workflow).
    private func start(_ call: ToolCall) throws -> StepTask<String>? {
        let arguments = call.arguments
        if let tool = local[call.name] {
            guard case .step(let body) = tool.kind else { return nil }
            let what = "tool '\(call.name)'"
            return try DBOS.startStep("tool:\(call.name)", retries: tool.policy.retries) {
                try await withTimeout(tool.policy.timeout, what) { try await body(arguments) }
            }
        }
        if let entry = remote[call.name] {
            let server = entry.server, spec = entry.spec
            return try DBOS.startStep("mcp:\(server.name)/\(call.name)", retries: server.policy.retries) {
                try await server.call(spec, arguments: arguments)   // with the server's timeout
            }
        }
        let available = specs.map(\.name)
        return try DBOS.startStep("tool:\(call.name)") { () async throws -> String in
            throw AgentError.unknownTool(name: call.name, available: available)
        }
    }
}

/// The message of a failed tool call for the model; rethrows errors that are not the tool's
/// (the workflow was cancelled, lost its executor, or the database failed).
func toolErrorMessage(_ error: any Error) throws -> String {
    if let dbos = error as? DBOSError, dbos.code != .maxStepRetriesExceeded, dbos.code != .workflowFailed {
        throw error
    }
    if error is CancellationError { throw error }
    return WorkflowFailure(error).message
}
