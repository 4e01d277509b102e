import DBOS
import Foundation

/// A human's answer to an approval request.
public struct ApprovalDecision: Codable, Sendable, Equatable {
    /// Whether the action is approved.
    public var approved: Bool
    /// A note for the agent.
    public var note: String?

    /// Creates a decision.
    public init(approved: Bool, note: String? = nil) {
        self.approved = approved
        self.note = note
    }
}

/// What the agent asks a human, published as the workflow's `approval` event while it waits.
public struct ApprovalRequest: Codable, Sendable, Equatable {
    /// The tool call's ID.
    public var callID: String
    /// What the model wants approved (its `request` argument, or all its arguments).
    public var request: String
    /// The message topic a decision must be sent to.
    public var topic: String
    /// When the wait ends (seconds since 1970); no decision by then counts as a rejection.
    public var deadline: Double
}

extension AgentTool {
    /// The event key under which the pending ``ApprovalRequest`` is published.
    public static let approvalEventKey = "approval"

    /// A tool that asks a human: the workflow publishes an ``ApprovalRequest`` as its
    /// `approval` event and waits (with `DBOS.receive`, so the deadline is stored and survives
    /// restarts) for an ``ApprovalDecision`` sent to `topic`. The model gets `approved`,
    /// `rejected` or `expired`, with the note.
    public static func approval(name: String = "request_approval",
                                description: String = "Ask a human to approve an action before doing it.",
                                topic: String = "approval", timeout: Duration = .seconds(86_400)) -> AgentTool {
        let schema: JSONValue = .object([
            "type": .string("object"),
            "properties": .object(["request": .object(["type": .string("string"), "description": .string("what needs approval")])]),
            "required": .array([.string("request")]),
        ])
        return AgentTool(workflowTool: ToolSpec(name: name, description: description, inputSchema: schema)) { call in
            let request: String
            if case .object(let fields) = call.arguments, case .string(let text)? = fields["request"] {
                request = text
            } else {
                request = call.arguments.description
            }
            let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
            let deadline = try await DBOS.now().timeIntervalSince1970 + seconds
            try await DBOS.setEvent(approvalEventKey, to: ApprovalRequest(callID: call.id, request: request, topic: topic, deadline: deadline))
            let decision = try await DBOS.receive(ApprovalDecision.self, topic: topic, timeout: timeout)
            switch decision {
            case nil: return "expired: no decision before the deadline"
            case let decision? where decision.approved: return "approved" + (decision.note.map { ": \($0)" } ?? "")
            case let decision?: return "rejected" + (decision.note.map { ": \($0)" } ?? "")
            }
        }
    }
}
