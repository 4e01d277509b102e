import DBOS
import ArgumentParser

/// `dbos-swift`: manage a DBOS system database (SQLite or PostgreSQL) from the command line.
@main
struct DBOSSwift: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dbos-swift",
        abstract: "Inspect and manage a DBOS system database (SQLite or PostgreSQL).",
        discussion: """
            Every command needs the system database URL: pass --database-url or set \
            DBOS_SYSTEM_DATABASE_URL. Examples: postgresql://user@localhost:5432/app_dbos_sys, \
            sqlite:///var/lib/app/app.sqlite, ./app.sqlite
            """,
        subcommands: [Migrate.self, WorkflowCommand.self, QueueCommand.self, ScheduleCommand.self, VersionCommand.self, Reset.self,
                      ConsoleCommand.self])
}

/// `dbos-swift migrate`: creates or upgrades the DBOS schema.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create or upgrade the DBOS system database schema.")

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        try await database.withClient(requireExistingFile: false) { client in
            let report = try await client.migrate()
            let outcome: String
            if report.created {
                outcome = "created"
            } else if report.previousVersion == report.version {
                outcome = "already current"
            } else {
                outcome = "upgraded from \(report.previousVersion)"
            }
            print("DBOS system database at version \(report.version) (\(outcome))")
        }
    }
}

/// `dbos-swift workflow ...`: list, inspect and manage workflows.
struct WorkflowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workflow",
        abstract: "List, inspect, cancel, resume, fork and delete workflows.",
        subcommands: [
            ListWorkflows.self, GetWorkflow.self, WorkflowSteps.self,
            CancelWorkflow.self, ResumeWorkflow.self, ForkWorkflow.self, DeleteWorkflow.self, GarbageCollect.self,
            ExportWorkflow.self, ImportWorkflow.self,
        ])
}
