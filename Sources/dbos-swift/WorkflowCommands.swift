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

    func validate() throws {
        guard limit > 0 else { throw ValidationError("--limit must be positive") }
        for value in status where WorkflowState(rawValue: value.uppercased()) == nil {
            throw ValidationError("unknown status '\(value)'; use one of \(WorkflowState.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() async throws {
        let states = status.compactMap { WorkflowState(rawValue: $0.uppercased()) }
        let filter = ListWorkflowsFilter(
            name: name, status: states.isEmpty ? nil : states, limit: limit, sortDescending: true, loadPayloads: json)
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
                throw DBOSError.nonexistentWorkflow(workflowID: workflowID)
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
                throw DBOSError.nonexistentWorkflow(workflowID: workflowID)
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
