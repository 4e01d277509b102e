// The inbox agent: draft a proposal (a model call in a step), publish it, wait durably for a
// human decision, then carry the proposal out or stop.
import AgentSupport
import DBOS
import Foundation

/// `POST /agents` body and the workflow's input.
struct AgentRequest: Codable, Sendable {
    var task: String
    /// How long to wait for a decision; the deadline is durable (survives restarts).
    var waitSeconds: Double?
}

/// A human's answer, sent to the workflow's `decision` topic.
struct Decision: Codable, Sendable {
    var approved: Bool
    var note: String?
}

/// Where an agent is; published as its `status` event (latest wins).
enum AgentState: String, Codable, Sendable {
    case waiting, approved, rejected, expired
}

/// The `status` event: what the inbox shows.
struct AgentStatus: Codable, Sendable {
    var state: AgentState
    var task: String
    var proposal: String
    /// When the wait for a decision ends (seconds since 1970).
    var deadline: Double
    var note: String?
    var result: String?
}

/// Set from the command line before launch; read by the steps.
enum Inbox {
    static let model = Setting<any LLMClient>(ScriptedModel(InboxScript.reply))
    /// The wait used when a request gives none.
    static let defaultWaitSeconds = Setting<Double>(3600)
    static let decisionTopic = "decision"
    static let statusKey = "status"
}

@Step(name: "draftProposal")
func draftProposal(_ task: String) async throws -> String {
    try await Inbox.model.value.complete([.system(InboxScript.draftPrompt), .user(task)])
}

@Step(name: "carryOut")
func carryOut(_ task: String, _ proposal: String, _ note: String?) async throws -> String {
    let instructions = "Task: \(task)\nApproved proposal: \(proposal)\nReviewer note: \(note ?? "none")"
    return try await Inbox.model.value.complete([.system(InboxScript.carryOutPrompt), .user(instructions)])
}

/// One agent: its status event tells the inbox what it is waiting for.
@Workflow(name: "inboxAgent")
func inboxAgent(_ request: AgentRequest) async throws -> AgentStatus {
    let proposal = try await draftProposal(request.task)
    let wait = request.waitSeconds ?? 3600  // the service fills it in; the input must not depend on its flags
    let deadline = try await DBOS.now().timeIntervalSince1970 + wait
    var status = AgentStatus(state: .waiting, task: request.task, proposal: proposal, deadline: deadline)
    try await DBOS.setEvent(Inbox.statusKey, to: status)

    let decision = try await DBOS.receive(Decision.self, topic: Inbox.decisionTopic, timeout: .milliseconds(Int64(wait * 1000)))
    switch decision {
    case nil:
        status.state = .expired
    case let decision? where decision.approved:
        status.state = .approved
        status.note = decision.note
        status.result = try await carryOut(request.task, proposal, decision.note)
    case let decision?:
        status.state = .rejected
        status.note = decision.note
    }
    try await DBOS.setEvent(Inbox.statusKey, to: status)
    return status
}
