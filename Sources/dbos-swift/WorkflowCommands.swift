import ArgumentParser
import DBOS
import Foundation

/// `dbos-swift workflow list`
struct ListWorkflows: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List workflows, most recently created last.")

    @OptionGroup var database: DatabaseOptions

    @Flag(help: "Print a JSON array (the keys of `dbos workflow list` in DBOS Python).")
    var json = false

    @Option(help: "Show at most this many workflows (the most recent ones).")
    var limit = 10

    @Option(help: "Only workflows with this status (PENDING, ENQUEUED, DELAYED, SUCCESS, ERROR, CANCELLED, MAX_RECOVERY_ATTEMPTS_EXCEEDED). Repeatable.")
    var status: [String] = []

    @Option(help: "Only workflows with this name.")
    var name: String?

    @Flag(name: .customLong("sort-desc"), help: "Most recent first.")
    var sortDescending = false

    @Option(help: "Skip this many of the most recent workflows first (pages of --limit).")
    var offset: Int?

    @Option(name: .customLong("start-time"), help: "Only workflows created at or after this time (ISO 8601).")
    var startTime: String?

    @Option(name: .customLong("end-time"), help: "Only workflows created at or before this time (ISO 8601).")
    var endTime: String?

    @Option(name: .customLong("application-version"), help: "Only workflows of this application version.")
    var applicationVersion: String?

    @Option(help: "Only workflows enqueued on this queue.")
    var queue: String?

    @Option(name: .customLong("executor-id"), help: "Only workflows last run by this executor.")
    var executorID: String?

    @Option(name: .customLong("id-prefix"), help: "Only workflow IDs that start with this text.")
    var idPrefix: String?

    func validate() throws {
        guard limit > 0 else { throw ValidationError("--limit must be positive") }
        if let offset, offset < 0 { throw ValidationError("--offset must not be negative") }
        let known = WorkflowState.known.map(\.rawValue)
        for value in status where !known.contains(value.uppercased()) {
            throw ValidationError("unknown status '\(value)'; use one of \(known.joined(separator: ", "))")
        }
    }

    func run() async throws {
        try await DatabaseOptions.reportingFailures {
            for (flag, value) in [("--start-time", startTime), ("--end-time", endTime)] {
                if let value, ISOTime.date(value) == nil {
                    throw CLIFailure("\(flag) '\(value)' is not an ISO 8601 time (e.g. 2026-11-30T09:00:00Z)")
                }
            }
        }
        let states = status.map { WorkflowState(rawValue: $0.uppercased()) }
        let filter = ListWorkflowsFilter(
            workflowIDPrefix: idPrefix, name: name, status: states.isEmpty ? nil : states, queueName: queue,
            applicationVersion: applicationVersion, executorID: executorID,
            createdAfter: startTime.flatMap(ISOTime.date), createdBefore: endTime.flatMap(ISOTime.date),
            limit: limit, offset: offset, sortDescending: true, loadPayloads: json)
        try await database.withClient { client in
            // Newest `limit` rows, shown oldest first unless --sort-desc.
            var workflows = try await client.listWorkflows(filter)
            if !sortDescending { workflows.reverse() }
            if json {
                JSON.array(workflows.map(JSON.init)).print()
            } else if workflows.isEmpty {
                print("No workflows.")
            } else {
                print(Table.workflows(workflows))
            }
        }
    }
}

/// `dbos-swift workflow get ID`
struct GetWorkflow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Show one workflow's status, input, output and error.")

    @OptionGroup var database: DatabaseOptions

    @Argument(help: "The workflow ID.")
    var workflowID: String

    @Flag(help: "Print a JSON object.")
    var json = false

    func run() async throws {
        try await database.withClient { client in
            guard let workflow = try await client.getWorkflowStatus(workflowID) else {
                throw CLIFailure("workflow '\(workflowID)' does not exist")
            }
            if json {
                JSON(workflow).print()
            } else {
                print(Table.details(of: workflow))
            }
        }
    }
}

/// `dbos-swift workflow steps ID`
struct WorkflowSteps: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "steps",
        abstract: "List the recorded steps of a workflow, in order.")

    @OptionGroup var database: DatabaseOptions

    @Argument(help: "The workflow ID.")
    var workflowID: String

    @Flag(help: "Print a JSON array.")
    var json = false

    func run() async throws {
        try await database.withClient { client in
            guard try await client.getWorkflowStatus(workflowID) != nil else {
                throw CLIFailure("workflow '\(workflowID)' does not exist")
            }
            let steps = try await client.listSteps(workflowID)
            if json {
                JSON.array(steps.map(JSON.init)).print()
            } else if steps.isEmpty {
                print("Workflow '\(workflowID)' has no recorded steps.")
            } else {
                print(Table.steps(steps))
            }
        }
    }
}

/// ISO 8601 times on the command line: with or without fractional seconds, `Z` or an offset;
/// a bare date means its midnight UTC.
enum ISOTime {
    static func date(_ text: String) -> Date? {
        for options: ISO8601DateFormatter.Options in [[.withInternetDateTime, .withFractionalSeconds], [.withInternetDateTime], [.withFullDate]] {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = options
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }
}
