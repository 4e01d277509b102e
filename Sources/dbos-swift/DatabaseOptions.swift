import Logging
import ArgumentParser
import DBOS
import Foundation

/// The `--database-url` option shared by every command, and the way commands open a client.
struct DatabaseOptions: ParsableArguments {
    /// The environment variable read when `--database-url` is not given.
    static let environmentVariable = "DBOS_SYSTEM_DATABASE_URL"

    @Option(name: .customLong("database-url"),
            help: "System database URL (postgresql://..., sqlite:///path or a file path). Default: $DBOS_SYSTEM_DATABASE_URL.")
    var databaseURL: String?

    /// The URL to use: the option, else the environment variable.
    func resolvedURL() throws -> String {
        if let databaseURL { return databaseURL }
        if let url = ProcessInfo.processInfo.environment[Self.environmentVariable], !url.isEmpty { return url }
        throw CLIFailure(
            "no system database URL: pass --database-url or set \(Self.environmentVariable)",
            exitCode: .validationFailure)
    }

    /// Opens a ``DBOSClient``, runs `body` and closes the client. Every failure becomes one
    /// line on stderr and a non-zero exit code.
    ///
    /// With `requireExistingFile`, a SQLite path that does not exist is an error rather than
    /// a new empty file (read commands must not create databases by accident).
    func withClient(requireExistingFile: Bool = true, _ body: (DBOSClient) async throws -> Void) async throws {
        try await Self.reportingFailures {
            let url = try resolvedURL()
            if requireExistingFile, case .sqlite(let path) = try DatabaseURL(parsing: url),
               !FileManager.default.fileExists(atPath: path) {
                throw CLIFailure("SQLite system database '\(path)' does not exist (create it with `dbos-swift migrate`)")
            }
            let client = try await Self.openClient(url)
            do {
                try await body(client)
            } catch {
                await client.close()
                throw error
            }
            await client.close()
        }
    }

    /// Runs `body`; any failure is reported as one line on stderr and rethrown as the exit
    /// code (a ``CLIFailure``'s own, otherwise 1).
    static func reportingFailures(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let failure as CLIFailure {
            failure.report()
            throw ExitCode(failure.exitCode)
        } catch let exit as ExitCode {
            throw exit
        } catch {
            // DBOSError, but also raw database errors the library lets through.
            CLIFailure(explain(error)).report()
            throw ExitCode.failure
        }
    }

    /// Connects with the library's default logger lowered to errors, so routine notices
    /// ("created system database") do not clutter the output.
    private static func openClient(_ url: String) async throws -> DBOSClient {
        var logger = DBOSConfig(name: "dbos-swift").logger
        logger.logLevel = .error
        return try await DBOSClient(databaseURL: url, logger: logger)
    }

    /// The error's own description, with a hint when the DBOS tables are missing.
    private static func explain(_ error: any Error) -> String {
        var text = String(describing: error)
        if text.hasPrefix("error: ") { text.removeFirst("error: ".count) }  // SQLite's own prefix
        let missingTable = text.contains("no such table") || (text.contains("relation") && text.contains("does not exist"))
        return missingTable ? text + " (no DBOS schema here: run `dbos-swift migrate` first)" : text
    }
}

/// A failure the tool reports itself: one line on stderr, then exit with `exitCode`.
struct CLIFailure: Error {
    let message: String
    let exitCode: Int32

    init(_ message: String, exitCode: ExitCode = .failure) {
        self.message = message
        self.exitCode = exitCode.rawValue
    }

    func report() {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    }
}
