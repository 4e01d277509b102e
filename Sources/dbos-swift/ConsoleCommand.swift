import ArgumentParser
import DBOSConsole
import Foundation
import Hummingbird
import Logging

/// `dbos-swift console`: serves the web console over a system database.
struct ConsoleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console",
        abstract: "Serve the web console (workflows, steps timeline, queues, actions, /metrics).",
        discussion: """
            Binds 127.0.0.1 by default; another address needs --token. With a token, send \
            Authorization: Bearer <token>, or open the console once with ?token=<token> (it sets a cookie).
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on (0 picks a free one).") var port = 8080
    @Option(help: "Token every request must present (letters, digits and -._~).") var token: String?
    @Flag(help: "Show workflows only: no cancel, resume, fork or delete.") var readOnly = false

    func run() async throws {
        try await DatabaseOptions.reportingFailures {
            do {
                try ConsoleServer.validate(host: host, token: token)
                if let token, !ConsoleOptions.isValidToken(token) {
                    throw CLIFailure("--token must be letters, digits and -._~ only", exitCode: .validationFailure)
                }
            } catch let failure as ConsoleFailure {
                throw CLIFailure(failure.message, exitCode: .validationFailure)
            }
        }
        try await database.withClient { client in
            var logger = Logger(label: "dbos.console")
            logger.logLevel = .info
            let console = try WebConsole(client: client, options: ConsoleOptions(token: token, readOnly: readOnly), logger: logger)
            let shownHost = host.contains(":") ? "[\(host)]" : host
            let app = try ConsoleServer.application(console, host: host, port: port, logger: logger) { port in
                FileHandle.standardOutput.write(Data("DBOS console listening on http://\(shownHost):\(port)/\n".utf8))
            }
            try await app.runService()
        }
    }
}
