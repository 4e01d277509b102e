import ArgumentParser
import DBOS
import DBOSConsole
import Foundation
import Hummingbird
import Logging

/// `dbos-console` (run as `dbos-swift console`): serves the web console over a system database.
///
/// A separate executable, not a product: `dbos-swift` is a product, and a product's dependencies
/// join the graph of every package that depends on this one (scripts/check-user-graph.sh), so
/// Hummingbird stays out of `dbos-swift` and `dbos-swift console` runs this one instead.
@main
struct ConsoleMain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dbos-swift console",
        abstract: "Serve the web console (workflows, steps timeline, queues, actions, /metrics).",
        discussion: """
            Binds 127.0.0.1 by default; another address needs --token. With a token, send \
            Authorization: Bearer <token>, or open the console once with ?token=<token> (it sets a cookie).
            """)

    @Option(name: .customLong("database-url"),
            help: "System database URL (postgresql://..., sqlite:///path or a file path). Default: $DBOS_SYSTEM_DATABASE_URL.")
    var databaseURL: String?

    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on (0 picks a free one).") var port = 8080
    @Option(help: "Token every request must present (letters, digits and -._~).") var token: String?
    @Flag(help: "Show workflows only: no cancel, resume, fork or delete.") var readOnly = false

    func run() async throws {
        do {
            try ConsoleServer.validate(host: host, token: token)
        } catch let failure as ConsoleFailure {
            Self.fail(failure.message)
        }
        if let token, !ConsoleOptions.isValidToken(token) { Self.fail("--token must be letters, digits and -._~ only") }
        guard let url = databaseURL ?? ProcessInfo.processInfo.environment["DBOS_SYSTEM_DATABASE_URL"], !url.isEmpty else {
            Self.fail("no system database URL: pass --database-url or set DBOS_SYSTEM_DATABASE_URL")
        }
        var logger = Logger(label: "dbos.console")
        logger.logLevel = .info
        var clientLogger = logger
        clientLogger.logLevel = .error
        let client: DBOSClient
        do {
            client = try await DBOSClient(databaseURL: url, logger: clientLogger)
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode.failure
        }
        do {
            let console = try WebConsole(client: client, options: ConsoleOptions(token: token, readOnly: readOnly), logger: logger)
            let shownHost = host.contains(":") ? "[\(host)]" : host
            let app = try ConsoleServer.application(console, host: host, port: port, logger: logger) { port in
                FileHandle.standardOutput.write(Data("DBOS console listening on http://\(shownHost):\(port)/\n".utf8))
            }
            try await app.runService()
        } catch {
            await client.close()
            throw error
        }
        await client.close()
    }

    /// Prints `error: message` and exits with the usage-error status (64).
    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
        Foundation.exit(ExitCode.validationFailure.rawValue)
    }
}
