import AgentSupport
import DBOS
import DBOSAgents
import Foundation

/// The inbox agent's instructions and the offline model's script.
enum InboxScript {
    static let instructions = """
        You draft a short, concrete proposal for the task and ask for approval with \
        request_approval before anything is done. If it is approved, call carry_out with the task \
        and the proposal, then report in one sentence. Otherwise stop and say why.
        """

    /// Turn 1 drafts the proposal and asks for approval; after an approval it carries the
    /// proposal out; after a rejection, an expiry or carry_out's report it answers.
    static let model = ScriptedAgentModel { conversation, _ in
        let task = conversation.lastUserMessage
        guard let latest = conversation.latestToolResults.last else {
            let proposal = draft(task)
            return ModelTurn(text: proposal, toolCalls: [
                ToolCall(id: "approval-1", name: "request_approval", arguments: .object(["request": .string(proposal)])),
            ])
        }
        if latest.toolCallID == "approval-1", latest.content.hasPrefix("approved") {
            let proposal = conversation.first { $0.role == "assistant" }?.content ?? ""
            return ModelTurn(toolCalls: [ToolCall(id: "carry-out-1", name: "carry_out",
                                                  arguments: .object(["task": .string(task), "proposal": .string(proposal)]))])
        }
        if latest.toolCallID == "approval-1" { return ModelTurn(text: "Stopped, nothing was done (\(latest.content)).") }
        return ModelTurn(text: latest.content)
    }

    private static func draft(_ task: String) -> String {
        let words = Text.words(task).filter { $0.count > 3 }
        let focus = words.isEmpty ? "the request" : words.prefix(3).joined(separator: ", ")
        return "Proposal for \"\(task)\": 1) gather what is known about \(focus); 2) prepare the change; 3) report back within a day."
    }
}
