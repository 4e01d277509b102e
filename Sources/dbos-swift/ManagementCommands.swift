import ArgumentParser
import DBOS
import Foundation

/// `dbos-swift workflow cancel ID`
struct CancelWorkflow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel a workflow that has not finished.",
        discussion: """
            The workflow stops before its next step wherever it runs (a running step finishes \
            first). A finished workflow is left as it is.
            """)

    @OptionGroup var database: DatabaseOptions

    @Argument(help: "The workflow ID.")
    var workflowID: String

    @Flag(name: .customLong("include-children"), help: "Cancel its child workflows (and theirs) too.")
    var includeChildren = false

    func run() async throws {
        try await database.withClient { client in
            try await client.cancel(workflowID, includeChildren: includeChildren)
            let status = try await client.getWorkflowStatus(workflowID)?.state ?? .cancelled
            if status == .cancelled {
                print("Cancelled workflow '\(workflowID)'\(includeChildren ? " and its descendants" : "")")
            } else {
                print("Workflow '\(workflowID)' had already finished with status \(status); nothing to cancel")
            }
        }
    }
}

/// `dbos-swift workflow resume ID`
struct ResumeWorkflow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Resume a cancelled (or stranded) workflow from its last completed step.",
        discussion: """
            The workflow is put on the internal queue; a DBOS process running its application \
            version picks it up.
            """)

    @OptionGroup var database: DatabaseOptions

    @Argument(help: "The workflow ID.")
    var workflowID: String

    func run() async throws {
        try await database.withClient { client in
            try await client.resume(workflowID)
            let status = try await client.getWorkflowStatus(workflowID)
            if let state = status?.state, state == .success || state == .error {
                print("Workflow '\(workflowID)' had already finished with status \(state); nothing to resume")
                return
            }
            let version = status?.applicationVersion
            let runner = version.map { $0.isEmpty ? "any DBOS process" : "a DBOS process running application version '\($0)'" }
            print("Resumed workflow '\(workflowID)': \(runner ?? "a DBOS process") will continue it")
        }
    }
}

/// `dbos-swift workflow fork ID --step N`
struct ForkWorkflow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fork",
        abstract: "Start a new workflow that reuses a workflow's steps before --step and runs the rest again.",
        discussion: """
            Prints the new workflow's ID. The fork is put on the internal queue; a DBOS process \
            running its application version (by default the original's) picks it up.
            """)

    @OptionGroup var database: DatabaseOptions

    @Argument(help: "The ID of the workflow to fork.")
    var workflowID: String

    @Option(help: "The first step (function ID, from 1) to run again; earlier steps keep their recorded outcomes.")
    var step: Int

    @Option(name: .customLong("new-id"), help: "The new workflow's ID (default: a random UUID).")
    var newID: String?

    @Option(name: .customLong("app-version"), help: "The application version the fork runs under (default: the original's).")
    var applicationVersion: String?

    func run() async throws {
        try await database.withClient { client in
            if let newID, try await client.getWorkflowStatus(newID) != nil {
                throw CLIFailure("workflow '\(newID)' already exists: choose another --new-id")
            }
            let forkID = try await client.fork(workflowID, fromStep: step, newID: newID, applicationVersion: applicationVersion)
            print(forkID)
        }
    }
}

/// `dbos-swift workflow delete ID`
struct DeleteWorkflow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete a workflow and everything recorded for it (steps, messages, events, streams).")

    @OptionGroup var database: DatabaseOptions

    @Argument(help: "The workflow ID.")
    var workflowID: String

    @Flag(name: .customLong("include-children"), help: "Delete its child workflows (and theirs) too.")
    var includeChildren = false

    func run() async throws {
        try await database.withClient { client in
            try await client.delete(workflowID, includeChildren: includeChildren)
            print("Deleted workflow '\(workflowID)'\(includeChildren ? " and its descendants" : "")")
        }
    }
}
