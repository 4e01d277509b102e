import AgentSupport
import Foundation

/// The offline model's script for the inbox agent.
enum InboxScript {
    static let draftPrompt = "You draft a short, concrete proposal for the task. A human approves it before anything is done."
    static let carryOutPrompt = "You carry out an approved proposal and report what was done in one sentence."

    @Sendable static func reply(_ messages: [ChatMessage]) -> String {
        let user = messages.lastUserMessage
        if messages.systemPrompt == draftPrompt {
            let words = Text.words(user).filter { $0.count > 3 }
            let focus = words.isEmpty ? "the request" : words.prefix(3).joined(separator: ", ")
            return "Proposal for \"\(user)\": 1) gather what is known about \(focus); 2) prepare the change; 3) report back within a day."
        }
        let task = user.split(separator: "\n").first.map { $0.replacingOccurrences(of: "Task: ", with: "") } ?? user
        return "Done: \(task) (carried out as proposed)."
    }
}
