// The inbox agent, on DBOSAgents: the model drafts a proposal and asks for approval with the
// approval tool (a durable wait with a stored deadline), then carries the proposal out or stops.
import AgentSupport
import DBOS
import DBOSAgents
import Foundation

/// `POST /agents` body and the workflow's input.
struct AgentRequest: Codable, Sendable {
    var task: String
    /// How long to wait for a decision; the deadline is durable (survives restarts).
    var waitSeconds: Double?
}

/// How an agent's wait for a human ended.
enum AgentState: String, Codable, Sendable {
    case approved, rejected, expired
}

/// What a finished agent returns: what the inbox shows of it.
struct AgentOutcome: Codable, Sendable {
    var state: AgentState
    var task: String
    var proposal: String
    var note: String?
    /// What `carry_out` reported (approved agents only).
    var result: String?
    /// The model's last words.
    var answer: String
}

/// The `carry_out` tool's arguments.
struct CarryOutArguments: Codable, Sendable {
    var task: String
    var proposal: String
}

/// Set from the command line before launch; read by the workflow.
enum Inbox {
    static let model = Setting<any AgentModel>(InboxScript.model)
    /// The wait used when a request gives none.
    static let defaultWaitSeconds = Setting<Double>(3600)
    /// The topic decisions are sent to (an `ApprovalDecision`).
    static let decisionTopic = "decision"
    /// The event holding the agent's task, for the inbox.
    static let taskKey = "task"

    /// The action itself, a step: here it only reports what it did.
    static let carryOut = AgentTool.function("carry_out", description: "Carry out an approved proposal.") {
        (arguments: CarryOutArguments) async throws -> String in
        "Done: \(arguments.task) (carried out as proposed)."
    }

    /// The agent of one request: the approval tool waits at most `waitSeconds` for a decision.
    static func agent(waitSeconds: Double) -> Agent {
        let approval = AgentTool.approval(topic: decisionTopic, timeout: .milliseconds(Int64(waitSeconds * 1000)))
        return Agent(model: model.value, instructions: InboxScript.instructions, tools: [approval, carryOut], maxTurns: 4)
    }
}

/// One agent. While it waits, its `approval` event (an `ApprovalRequest`: the proposal and the
/// deadline) tells the inbox what it is waiting for; its output says how it ended.
@Workflow(name: "inboxAgent")
func inboxAgent(_ request: AgentRequest) async throws -> AgentOutcome {
    let wait = request.waitSeconds ?? 3600   // the service fills it in; the input must not depend on its flags
    try await DBOS.setEvent(Inbox.taskKey, to: request.task)
    let run = try await Inbox.agent(waitSeconds: wait).run(request.task)
    return AgentOutcome(request.task, run)
}

extension AgentOutcome {
    /// Reads the outcome off the conversation: the approval tool's answer (`approved: note`,
    /// `rejected: note` or `expired: ...`) and `carry_out`'s result.
    init(_ task: String, _ run: AgentResult) {
        let calls = run.conversation.flatMap(\.toolCalls)
        func answer(to tool: String) -> String? {
            guard let call = calls.last(where: { $0.name == tool }) else { return nil }
            return run.conversation.last { $0.role == "tool" && $0.toolCallID == call.id }?.content
        }
        let decision = answer(to: "request_approval") ?? "expired"
        let parts = decision.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        let state = AgentState(rawValue: parts.first ?? "") ?? .expired
        self.init(state: state, task: task,
                  proposal: run.conversation.first { $0.role == "assistant" }?.content ?? "",
                  note: state == .expired ? nil : parts.dropFirst().first,
                  result: answer(to: "carry_out"), answer: run.answer)
    }
}
