import DBOS
import Foundation

/// One queue's load: how many workflows wait (ENQUEUED), run (PENDING), and the oldest wait.
struct QueueSummary: Sendable, Codable, Equatable {
    var name: String
    var enqueued: Int
    var running: Int
    /// Seconds since the oldest ENQUEUED workflow was created.
    var oldestEnqueuedAge: Double?

    /// Every queue with a workflow waiting on or running from it, by name.
    static func all(_ client: some WorkflowManaging, now: Date = Date()) async throws -> [QueueSummary] {
        var byName: [String: QueueSummary] = [:]
        for workflow in try await client.listQueuedWorkflows() {
            guard let queue = workflow.queueName else { continue }
            var summary = byName[queue] ?? QueueSummary(name: queue, enqueued: 0, running: 0, oldestEnqueuedAge: nil)
            switch workflow.state {
            case .enqueued:
                summary.enqueued += 1
                let age = now.timeIntervalSince(workflow.createdAt)
                summary.oldestEnqueuedAge = max(summary.oldestEnqueuedAge ?? age, age)
            case .pending:
                summary.running += 1
            default:
                break
            }
            byName[queue] = summary
        }
        return byName.values.sorted { $0.name < $1.name }
    }
}
