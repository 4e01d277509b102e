import ArgumentParser
import DBOS
import Foundation

/// `dbos-swift queue ...`: inspect queued work.
struct QueueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue",
        abstract: "Inspect workflows waiting on or running from queues.",
        subcommands: [ListQueued.self])
}

/// `dbos-swift queue list`
struct ListQueued: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List queued workflows (ENQUEUED, or PENDING: dequeued and running), oldest first.")

    @OptionGroup var database: DatabaseOptions

    @Option(name: .customLong("queue"), help: "Only this queue.")
    var queueName: String?

    @Option(help: "Show at most this many workflows (the oldest ones).")
    var limit: Int?

    @Flag(help: "Print a JSON array (the keys of `dbos workflow queue list` in DBOS Python).")
    var json = false

    func validate() throws {
        if let limit, limit <= 0 { throw ValidationError("--limit must be positive") }
    }

    func run() async throws {
        // Without --queue, workflows outside any queue are dropped here (the filter cannot say
        // "has a queue"), so the limit is applied afterwards.
        let filter = ListWorkflowsFilter(
            status: [.enqueued, .pending], queueName: queueName, limit: queueName == nil ? nil : limit, loadPayloads: json)
        try await database.withClient { client in
            var workflows = try await client.listWorkflows(filter).filter { $0.queueName != nil }
            if let limit, workflows.count > limit { workflows = Array(workflows.prefix(limit)) }
            if json {
                JSON.array(workflows.map(JSON.init)).print()
            } else if workflows.isEmpty {
                print(queueName.map { "No queued workflows on queue '\($0)'." } ?? "No queued workflows.")
            } else {
                print(Table.queued(workflows))
            }
        }
    }
}
