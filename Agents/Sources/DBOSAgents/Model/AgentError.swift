/// Why an agent step failed. Each is recorded as the step's error (its message shown by
/// `dbos-swift workflow steps`), and a tool's error is handed to the model as the call's result.
public enum AgentError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The model asked for a tool the agent does not have.
    case unknownTool(name: String, available: [String])
    /// A tool's arguments could not be decoded as its input type.
    case badArguments(tool: String, reason: String)
    /// A tool answered text that should be JSON and is not.
    case malformedToolOutput(tool: String, output: String)
    /// A tool reported an error (an MCP result with `isError`).
    case toolFailed(tool: String, message: String)
    /// A model or tool call took longer than its timeout.
    case timedOut(what: String, after: Duration)
    /// An MCP server process ended while a request was waiting for it.
    case serverExited(server: String, during: String, status: String)
    /// An MCP server could not be started or reached.
    case serverUnavailable(server: String, reason: String)
    /// The model still asked for tools after the agent's last allowed turn.
    case stepBudgetExhausted(turns: Int)

    public var description: String {
        switch self {
        case .unknownTool(let name, let available):
            "unknown tool '\(name)' (the agent has: \(available.joined(separator: ", ")))"
        case .badArguments(let tool, let reason): "tool '\(tool)': arguments do not match its input: \(reason)"
        case .malformedToolOutput(let tool, let output): "tool '\(tool)' returned malformed JSON: \(output.prefix(200))"
        case .toolFailed(let tool, let message): "tool '\(tool)' failed: \(message)"
        case .timedOut(let what, let after): "\(what) timed out after \(after)"
        case .serverExited(let server, let during, let status):
            "MCP server '\(server)' exited (\(status)) during \(during)"
        case .serverUnavailable(let server, let reason): "MCP server '\(server)' unavailable: \(reason)"
        case .stepBudgetExhausted(let turns): "the agent used its \(turns) model turns without finishing"
        }
    }
}
