import DBOS

/// A durable agent: a model and its tools, run as a loop inside a workflow.
///
/// Each turn is one checkpointed step (`agent.model`) that asks the model, streaming its
/// tokens into the workflow's stream ``defaultStreamKey``; then every tool call of the turn is
/// a step of its own (`tool:<name>`, or `mcp:<server>/<name>`), started together in the
/// model's order so their operation IDs are deterministic; their results (or errors) go back to
/// the model. The loop ends when the model answers without tool calls, or fails with
/// ``AgentError/stepBudgetExhausted(turns:)`` after ``maxTurns`` turns. The tool list of each
/// MCP server is one step (`mcp.listTools:<server>`) at the start of the run.
///
/// A recovered or forked run replays the recorded steps: a completed model turn is not asked
/// again and a completed tool call is not made again.
///
/// ```swift
/// let agent = Agent(model: model, instructions: "You are a travel agent.", tools: [weather], mcpServers: [maps])
/// let travel = Workflow("travel") { (task: String) in try await agent.run(task) }
/// ```
public struct Agent: Sendable {
    /// The stream the model's tokens are written to.
    public static let defaultStreamKey = "agent.tokens"

    /// The model.
    public var model: any AgentModel
    /// The system message.
    public var instructions: String
    /// Tools made of Swift functions (and workflow tools such as approval).
    public var tools: [AgentTool]
    /// MCP servers whose tools the agent may call.
    public var mcpServers: [MCPServer]
    /// The most model turns of one run.
    public var maxTurns: Int
    /// Retries and timeout of each model turn.
    public var modelPolicy: StepPolicy
    /// The stream tokens go to (nil: tokens are not streamed).
    public var streamKey: String?
    /// Checks the final answer (a turn without tool calls) inside its model step: an answer it
    /// throws for fails that step, which is retried as ``modelPolicy`` says and otherwise ends the
    /// run with the error recorded on the model step, so a fork from that step asks again (with
    /// the fork's code: a corrected prompt, say). Use it for structured output the caller decodes.
    public var checkAnswer: (@Sendable (String) throws -> Void)?

    /// Creates an agent.
    public init(model: any AgentModel, instructions: String, tools: [AgentTool] = [], mcpServers: [MCPServer] = [],
                maxTurns: Int = 10, modelPolicy: StepPolicy = .default, streamKey: String? = Agent.defaultStreamKey,
                checkAnswer: (@Sendable (String) throws -> Void)? = nil) {
        self.model = model
        self.instructions = instructions
        self.tools = tools
        self.mcpServers = mcpServers
        self.maxTurns = maxTurns
        self.modelPolicy = modelPolicy
        self.streamKey = streamKey
        self.checkAnswer = checkAnswer
    }

    /// Runs the agent on `task`; call it from a workflow body.
    public func run(_ task: String) async throws -> AgentResult {
        var toolbox = Toolbox(local: tools)
        for server in mcpServers {
            let listed: [ToolSpec] = try await DBOS.step("mcp.listTools:\(server.name)", retries: server.policy.retries) {
                try await server.listTools()   // with the server's timeout
            }
            toolbox.add(listed, from: server)
        }
        var conversation: [AgentMessage] = [.system(instructions), .user(task)]
        var toolCalls = 0
        for turn in 1...max(maxTurns, 1) {
            let reply = try await modelTurn(turn, conversation, toolbox.specs)
            conversation.append(.assistant(reply))
            if reply.toolCalls.isEmpty {
                if let streamKey {
                    try await DBOS.write(AgentStreamEvent.done(reply.text, turns: turn), toStream: streamKey)
                    try await DBOS.closeStream(streamKey)
                }
                return AgentResult(answer: reply.text, turns: turn, toolCalls: toolCalls, conversation: conversation)
            }
            toolCalls += reply.toolCalls.count
            conversation += try await toolbox.perform(reply.toolCalls)
        }
        throw AgentError.stepBudgetExhausted(turns: maxTurns)
    }

    private func modelTurn(_ turn: Int, _ conversation: [AgentMessage], _ specs: [ToolSpec]) async throws -> ModelTurn {
        let model = model, streamKey = streamKey, policy = modelPolicy, checkAnswer = checkAnswer
        return try await DBOS.step("agent.model", retries: policy.retries) {
            let reply = try await withTimeout(policy.timeout, "model turn \(turn) (\(model.name))") {
                let counter = TokenCounter()
                return try await model.respond(to: conversation, tools: specs) { token in
                    guard let streamKey else { return }
                    try await DBOS.write(AgentStreamEvent.token(token, turn: turn, index: counter.next()), toStream: streamKey)
                }
            }
            if reply.toolCalls.isEmpty, let checkAnswer { try checkAnswer(reply.text) }
            return reply
        }
    }
}

/// What a finished agent run returns.
public struct AgentResult: Codable, Sendable, Equatable {
    /// The model's final answer.
    public var answer: String
    /// How many model turns the run took.
    public var turns: Int
    /// How many tool calls the model asked for.
    public var toolCalls: Int
    /// The whole conversation, final answer included.
    public var conversation: [AgentMessage]
}
