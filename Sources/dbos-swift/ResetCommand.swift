import ArgumentParser
import DBOS
import Foundation

/// `dbos-swift reset --yes`: deletes every workflow by dropping and recreating the DBOS schema.
struct Reset: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Delete all DBOS state: drop the system database schema and create it again.",
        discussion: """
            Every workflow, step, message, event and stream is lost. On SQLite the whole file \
            (with its -wal and -shm files) is deleted and created again; on PostgreSQL the DBOS \
            schema is dropped and created again. Stop the applications using the database \
            first. Refuses to run without --yes.
            """)

    /// The exit code when --yes is missing.
    static let notConfirmedExitCode = ExitCode(2)

    @OptionGroup var database: DatabaseOptions

    @Flag(help: "Confirm that all DBOS state in the system database may be deleted.")
    var yes = false

    func run() async throws {
        try await DatabaseOptions.reportingFailures {
            let url = try database.resolvedURL()
            let location = try DatabaseURL(parsing: url)
            guard yes else {
                throw CLIFailure(
                    "reset deletes every workflow in \(location); pass --yes to confirm",
                    exitCode: Self.notConfirmedExitCode)
            }
            if case .sqlite(let path) = location { try Self.deleteSQLiteFiles(path) }
        }
        try await database.withClient(requireExistingFile: false) { client in
            let report = client.backendName == "postgres" ? try await client.resetSystemDatabase() : try await client.migrate()
            print("Reset DBOS system database (schema version \(report.version))")
        }
    }

    /// Deletes a SQLite database and its journal files. Refuses a file that is not SQLite.
    private static func deleteSQLiteFiles(_ path: String) throws {
        let files = FileManager.default
        if let handle = FileHandle(forReadingAtPath: path) {
            let header = (try? handle.read(upToCount: 16)) ?? Data()
            try? handle.close()
            guard header.isEmpty || header == Data("SQLite format 3\0".utf8) else {
                throw CLIFailure("'\(path)' is not a SQLite database; not deleting it")
            }
        }
        for file in [path, path + "-wal", path + "-shm", path + "-journal"] where files.fileExists(atPath: file) {
            do {
                try files.removeItem(atPath: file)
            } catch {
                throw CLIFailure("cannot delete '\(file)': \(error.localizedDescription)")
            }
        }
    }
}
