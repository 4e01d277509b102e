import ArgumentParser
import DBOS
import Foundation

/// `dbos-swift workflow export <id> [--output file.json] [--no-children]`
struct ExportWorkflow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a workflow, with every row recorded for it and its children, as a JSON file.",
        discussion: """
            The file holds the workflow's status, inputs and outcome, recorded steps, events, \
            streams and messages (and its descendants'), as `dbos-swift workflow import` reads \
            them into another system database, SQLite or PostgreSQL: for example to debug and \
            fork a production run on a laptop.
            """)

    @OptionGroup var database: DatabaseOptions

    @Argument(help: "The workflow's ID.")
    var workflowID: String

    @Option(name: .shortAndLong, help: "The file to write (default: standard output).")
    var output: String?

    @Flag(name: .customLong("no-children"), help: "Leave out the workflow's descendants.")
    var noChildren = false

    func run() async throws {
        try await database.withClient { client in
            let export = try await client.exportWorkflow(workflowID, includeChildren: !noChildren)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            encoder.dateEncodingStrategy = .iso8601
            let data = try encoder.encode(export)
            if let output {
                try data.write(to: URL(fileURLWithPath: output))
                FileHandle.standardError.write(Data("Exported \(export.workflows.count) workflows to \(output)\n".utf8))
            } else {
                FileHandle.standardOutput.write(data + Data("\n".utf8))
            }
        }
    }
}

/// `dbos-swift workflow import <file.json>`
struct ImportWorkflow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Read workflows from a file written by `workflow export` into this system database.",
        discussion: """
            Writes every row of the file in one transaction; nothing is written when one of its \
            workflows already exists here. The schema is created first when it is missing.
            """)

    @OptionGroup var database: DatabaseOptions

    @Argument(help: "The file `workflow export` wrote.")
    var file: String

    func run() async throws {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let export: WorkflowExport
        do {
            export = try decoder.decode(WorkflowExport.self, from: Data(contentsOf: URL(fileURLWithPath: file)))
        } catch {
            throw ValidationError("'\(file)' is not a workflow export: \(error)")
        }
        try await database.withClient(requireExistingFile: false) { client in
            _ = try await client.migrate()
            try await client.importWorkflow(export)
            print("Imported \(export.workflows.count) workflows: \(export.workflows.map(\.workflowID).joined(separator: ", "))")
        }
    }
}
